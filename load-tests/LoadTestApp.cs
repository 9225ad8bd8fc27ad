namespace Peft.LoadTests;

/// <summary>Entry point; the workloads arrive with the engine. Until then it prints what it can run.</summary>
internal static class LoadTestApp
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("usage: dotnet run --project load-tests -- <benchmark> [options]  (see docs/benchmarks.md)");
        return Task.FromResult(args.Length == 0 ? 2 : 1);
    }
}
