using DataHub.Host.Servlet;

namespace DataHub.Host.Tests;

/// <summary>The servlet's cancellation for one request: caller gone or time limit, on pooled token sources.</summary>
public sealed class RequestCancellationTests
{
    [Test]
    public async Task The_time_limit_cancels_the_token()
    {
        var cancellation = new RequestCancellation(TimeSpan.FromMilliseconds(50));

        using var scope = cancellation.Start(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(5), scope.Token).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.That(scope.IsCancellationRequested, Is.True);
    }

    [Test]
    public void The_caller_going_away_cancels_the_token_at_once()
    {
        var cancellation = new RequestCancellation(TimeSpan.FromMinutes(5));
        using var aborted = new CancellationTokenSource();

        using var scope = cancellation.Start(aborted.Token);
        aborted.Cancel();

        Assert.That(scope.Token.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task A_request_that_ended_in_time_leaves_nothing_behind_to_cancel_a_later_one()
    {
        var cancellation = new RequestCancellation(TimeSpan.FromMilliseconds(100));
        using var aborted = new CancellationTokenSource();
        var first = cancellation.Start(aborted.Token);
        var firstToken = first.Token;
        var calledBack = false;
        firstToken.Register(() => calledBack = true);
        first.Dispose();

        aborted.Cancel();
        using var second = cancellation.Start(CancellationToken.None);
        await Task.Delay(20);

        Assert.That(second.Token, Is.EqualTo(firstToken), "the source is reused");
        Assert.That(second.IsCancellationRequested, Is.False, "neither the old caller nor the old timer reaches it");
        Assert.That(calledBack, Is.False, "the old request's registrations are gone");
    }

    [Test]
    public void A_cancelled_source_is_never_handed_out_again()
    {
        var cancellation = new RequestCancellation(TimeSpan.FromMinutes(5));
        using var aborted = new CancellationTokenSource();
        var first = cancellation.Start(aborted.Token);
        aborted.Cancel();
        first.Dispose();

        using var second = cancellation.Start(CancellationToken.None);

        Assert.That(second.IsCancellationRequested, Is.False);
    }
}
