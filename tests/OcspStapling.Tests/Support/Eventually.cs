namespace OcspStapling.Tests.Support;

/// <summary>Polls until a value is what a test waits for, or a deadline passes (then the test's assert reports it).</summary>
public static class Eventually
{
    public static async Task<T> Value<T>(Func<Task<T>> probe, Func<T, bool> done, int timeoutMs = 8000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
                return value;
            await Task.Delay(100);
        }
    }

    public static Task<T> ValueOf<T>(Func<T> probe, Func<T, bool> done, int timeoutMs = 8000) => Value(() => Task.FromResult(probe()), done, timeoutMs);
}
