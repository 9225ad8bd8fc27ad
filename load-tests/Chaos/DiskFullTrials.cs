using System.Diagnostics;
using Grpc.Core;
using Peft.Protos.V1;

namespace Peft.LoadTests.Chaos;

/// <summary>
/// The adapter store and the jobs directory on a small tmpfs that the suite fills: an upload, a registration and an
/// unload with the disk full answer RESOURCE_EXHAUSTED and change nothing (live state equals restart state); a training
/// job whose directory cannot be written fails visibly; the server keeps serving throughout. Needs root (mount).
/// </summary>
internal sealed class DiskFullTrials(ChaosEnvironment environment, ChaosReport report, ExpectedOutputs expected, TextWriter log)
{
    public async Task RunAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            report.Skip("disk-full trials", "mounting a small tmpfs needs root; run the suite as root to include them");
            return;
        }
        string mount = environment.Fresh("full");
        if (!Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount))
        {
            report.Skip("disk-full trials", $"mount -t tmpfs failed on {mount}");
            return;
        }
        try
        {
            var baseLayout = ServerLayout.Under(environment, "full-layout");
            var layout = baseLayout with { Store = Path.Combine(mount, "store"), Jobs = Path.Combine(mount, "jobs") };
            await TrialsAsync(layout, mount);
        }
        finally
        {
            Run("umount", "-l", mount);
        }
    }

    private async Task TrialsAsync(ServerLayout layout, string mount)
    {
        var server = await ServerProcess.StartAsync(environment, layout);
        try
        {
            var client = server.Client;
            await client.LoadAsync("kept", ChaosEnvironment.Adapter("lora_qv"));
            await client.UploadAsync("kept-upload", environment.AdapterDirectory("prompt"));
            var job = await client.StartTrainingAsync(KillTrials.TrainingRequest("full-job", steps: 100_000));
            if (!job.Ok) throw new ChaosException($"the training job did not start: {job}");
            await WaitAsync(async () => (await client.GetJobAsync(job.Value!.JobId)).Value?.Progress?.Step >= 1);

            string filler = Path.Combine(mount, "filler");
            Fill(filler);
            log.WriteLine("disk-full: the store's file system is full");

            await Expect("disk-full upload", server, () => client.UploadAsync("full-upload", environment.AdapterDirectory("lora_all")));
            await Expect("disk-full registration", server, () => client.LoadAsync("full-load", ChaosEnvironment.Adapter("prefix")));
            await Expect("disk-full unload", server, () => client.UnloadAsync("kept"));
            report.DiskFullTrial();
            const string training = "disk-full training";
            await WaitAsync(async () => (await client.GetJobAsync(job.Value!.JobId)).Value?.State is TrainingJobState.Failed or TrainingJobState.Succeeded or TrainingJobState.Cancelled);
            var ended = await client.GetJobAsync(job.Value!.JobId);
            if (ended.Value?.State != TrainingJobState.Failed || ended.Value.Error.Length == 0)
                report.Fail(training, "a job whose directory cannot be written fails visibly", $"job is {ended.Value?.State} '{ended.Value?.Error}'");
            await StillServes(training, server);

            var live = (await client.ListAsync()).Select(a => $"{a.AdapterId}@{a.Version}").Order().ToArray();
            File.Delete(filler);
            await server.DisposeAsync();
            server = await ServerProcess.StartAsync(environment, layout);
            var restarted = (await server.Client.ListAsync()).Select(a => $"{a.AdapterId}@{a.Version}").Order().ToArray();
            if (!live.SequenceEqual(restarted))
                report.Fail("disk-full restart", "live state equals restart state", $"live [{string.Join(", ", live)}], after restart [{string.Join(", ", restarted)}]");
            foreach (string orphan in StoreOrphans.Find(layout.Store, (await server.Client.ListAsync()).Select(a => a.Path)))
                report.Fail("disk-full restart", "orphan files cleaned at start", orphan);
        }
        catch (ChaosException e)
        {
            report.Fail("disk-full trials", "the trials run", e.Message);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>One call with the disk full: RESOURCE_EXHAUSTED, and the server still serves.</summary>
    private async Task Expect<T>(string trial, ServerProcess server, Func<Task<Outcome<T>>> call)
    {
        report.DiskFullTrial();
        var outcome = await call();
        if (outcome.Status == StatusCode.Internal) report.InternalOne(trial, outcome.Detail);
        else if (outcome.Status != StatusCode.ResourceExhausted)
            report.Fail(trial, "a full disk is RESOURCE_EXHAUSTED", outcome.ToString());
        await StillServes(trial, server);
    }

    private async Task StillServes(string trial, ServerProcess server)
    {
        if (server.HasExited)
        {
            report.Fail(trial, "no exception ends the process", $"the server exited with {server.ExitCode}:\n{ServerProcess.Tail(server.Output)}");
            throw new ChaosException("the server died");
        }
        var solo = await server.Client.GenerateAsync("", ExpectedOutputs.Prompt, ExpectedOutputs.NewTokens);
        report.Requested();
        if (!solo.Ok || !expected.Check("", solo.Tokens))
            report.Fail(trial, "everyone else is still served", $"{solo.Status} {solo.Detail}");
    }

    private static void Fill(string path)
    {
        using var file = File.Create(path);
        var block = new byte[64 << 10];
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
        }
        try
        {
            file.Flush(true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddMinutes(2);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new ChaosException("a state the trial waits for did not come within two minutes");
            await Task.Delay(100);
        }
    }

    private static bool Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
