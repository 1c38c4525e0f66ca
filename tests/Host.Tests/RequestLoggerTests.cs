using DataHub.Host.Servlet;
using DataHub.Testing;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Tests;

public sealed class RequestLoggerTests
{
    [Test]
    public void Every_line_carries_the_request_id_and_the_scope_ends_with_the_line()
    {
        var log = new CapturedLog();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(log));
        var inner = factory.CreateLogger("test");
        var logger = new RequestLogger(inner, "0HN:00000001");

        logger.LogWarning("first");
        inner.LogWarning("outside the request");

        Assert.That(log.Entries.Select(e => (e.Message, e.RequestId)), Is.EqualTo(new[]
        {
            ("first", (string?)"0HN:00000001"),
            ("outside the request", null),
        }));
    }

    [Test]
    public void A_level_that_is_off_writes_nothing()
    {
        var log = new CapturedLog();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(log).SetMinimumLevel(LogLevel.Warning));
        var logger = new RequestLogger(factory.CreateLogger("test"), "trace");

        logger.LogInformation("hidden");

        Assert.That(logger.IsEnabled(LogLevel.Information), Is.False);
        Assert.That(log.Entries, Is.Empty);
    }
}
