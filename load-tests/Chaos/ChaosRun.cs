namespace Peft.LoadTests.Chaos;

/// <summary>What a chaos run does, in order; each part can be left out.</summary>
internal sealed record ChaosSettings(int Kills, int ChurnRequests, int Streams, TimeSpan ChurnInterval, int Seed, string? Work, bool Keep, IReadOnlySet<string> Parts)
{
    public static IReadOnlyList<string> AllParts { get; } = ["matrix", "kills", "disk-full", "churn"];

    public bool Runs(string part) => Parts.Contains(part);
}

/// <summary>
/// The chaos suite: the bad-input matrix, kill -9 trials, disk-full trials and the churn soak against the real server
/// as a child process, then one line of figures. Failures are printed as they happen, each with its trial and
/// invariant; the exit code is 1 when there was any.
/// </summary>
internal static class ChaosRun
{
    public static async Task<int> RunAsync(ChaosSettings settings, TextWriter output, TextWriter log)
    {
        var environment = ChaosEnvironment.Create(settings.Work);
        var report = new ChaosReport { Log = log };
        var expected = new ExpectedOutputs();
        var random = new Random(settings.Seed);
        log.WriteLine($"chaos: work directory {environment.Work}, server {environment.ServerDll}");
        try
        {
            var matrixLayout = ServerLayout.Under(environment, "matrix");
            await using (var server = await ServerProcess.StartAsync(environment, matrixLayout))
            {
                await expected.LearnAsync(server.Client);
                if (settings.Runs("matrix")) await new BadInputMatrix(environment, report, expected, log).RunAsync(server, matrixLayout);
            }
            if (settings.Runs("kills"))
            {
                var layout = ServerLayout.Under(environment, "kills");
                var server = await ServerProcess.StartAsync(environment, layout);
                await new KillTrials(environment, report, expected, random, log).RunAsync(settings.Kills, layout, server);
            }
            if (settings.Runs("disk-full")) await new DiskFullTrials(environment, report, expected, log).RunAsync();
            if (settings.Runs("churn"))
            {
                await using var server = await ServerProcess.StartAsync(environment, ServerLayout.Under(environment, "churn"));
                await new ChurnSoak(report, expected, random, log).RunAsync(server, settings.ChurnRequests, settings.Streams, settings.ChurnInterval);
            }
        }
        catch (ChaosException e)
        {
            report.Fail("chaos", "the suite runs to its end", e.Message);
        }
        finally
        {
            if (!settings.Keep) TryDelete(environment.Work);
        }
        foreach (var failure in report.Failures) await output.WriteLineAsync(failure.ToString());
        foreach (string skipped in report.Skipped) await output.WriteLineAsync($"SKIP {skipped}");
        await output.WriteLineAsync(report.SummaryLine());
        return report.Failures.Count == 0 ? 0 : 1;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
