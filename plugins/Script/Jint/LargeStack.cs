namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Runs work on a thread of its own with a large stack: Jint's parser recurses once per nesting level, so an
/// absurdly nested script would overflow a request thread's stack and end the process.
/// </summary>
internal static class LargeStack
{
    private const int StackBytes = 256 * 1024 * 1024;

    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, StackBytes)
        {
            Name = "DataHub script parser",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        return result;
    }
}
