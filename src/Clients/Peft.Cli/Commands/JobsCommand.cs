using System.CommandLine;
using Peft.Client;
using Peft.Protos.V1;

namespace Peft.Cli.Commands;

/// <summary><c>peft jobs list|show|watch|cancel</c>: training jobs on the server (admin endpoint, admin key).</summary>
internal static class JobsCommand
{
    public static Command Create(GlobalOptions global, TextWriter output, TextWriter error)
    {
        var command = new Command("jobs", "Inspect and cancel training jobs (admin endpoint, admin key).");
        command.Subcommands.Add(List(global, output));
        command.Subcommands.Add(Show(global, output));
        command.Subcommands.Add(Watch(global, output, error));
        command.Subcommands.Add(Cancel(global, output));
        return command;
    }

    /// <summary>Follows a job to its end: a live progress line on a terminal (or one JSON event per line), then the
    /// loss curve. Exit code: 0 succeeded, 1 failed, 10 cancelled.</summary>
    public static async Task<int> FollowAsync(PeftClient client, string jobId, TextWriter output, TextWriter error, bool json, CancellationToken ct)
    {
        var losses = new List<double>();
        TrainingJob? last = null;
        await foreach (var e in client.WatchTrainingAsync(jobId, ct))
        {
            last = e.Job;
            if (json)
            {
                await output.WriteLineAsync(JsonOutput.Format(e));
                continue;
            }
            if (e.Progress is { } p)
            {
                if (p.Step > 0) losses.Add(p.Loss);
                await error.WriteAsync($"\r{ProgressLine.Render(p)}");
            }
        }
        if (last is null) return ExitCodes.Failure;
        if (!json)
        {
            await error.WriteLineAsync();
            if (losses.Count > 1) await error.WriteLineAsync($"loss {ProgressLine.Curve(losses, 60)}  {losses[0]:F3} → {losses[^1]:F3}");
            await output.WriteLineAsync(Outcome(last));
        }
        return last.State switch
        {
            TrainingJobState.Succeeded => ExitCodes.Ok,
            TrainingJobState.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.Failure,
        };
    }

    private static Command List(GlobalOptions global, TextWriter output)
    {
        var command = new Command("list", "List training jobs, oldest first.");
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            var jobs = await client.ListTrainingJobsAsync(ct);
            if (parse.GetValue(global.Json))
            {
                var response = new ListTrainingJobsResponse();
                response.Jobs.Add(jobs);
                await output.WriteLineAsync(JsonOutput.Format(response));
                return ExitCodes.Ok;
            }
            await output.WriteLineAsync($"{"JOB",-32} {"ADAPTER",-20} {"TYPE",-14} {"STATE",-12} {"STEP",11} {"LOSS",8}");
            foreach (var j in jobs)
                await output.WriteLineAsync($"{j.JobId,-32} {j.AdapterId,-20} {j.PeftType,-14} {State(j.State),-12} {$"{j.Progress?.Step ?? 0}/{j.Progress?.TotalSteps ?? 0}",11} {j.Progress?.Loss ?? 0,8:F4}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(GlobalOptions global, TextWriter output)
    {
        var id = new Argument<string>("job-id") { Description = "The job's id" };
        var command = new Command("show", "Show one job with its loss curve.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            var job = await client.GetTrainingJobAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(global.Json))
            {
                await output.WriteLineAsync(JsonOutput.Format(job));
                return ExitCodes.Ok;
            }
            await output.WriteLineAsync(string.Join(Environment.NewLine,
                $"job:       {job.JobId}",
                $"adapter:   {job.AdapterId} ({job.PeftType})",
                $"state:     {State(job.State)}{(job.Error.Length > 0 ? $": {job.Error}" : "")}",
                $"progress:  {(job.Progress is { } p ? ProgressLine.Render(p) : "not started")}",
                $"version:   {(job.AdapterVersion.Length > 0 ? job.AdapterVersion : "-")}",
                $"created:   {job.CreatedAt?.ToDateTimeOffset():u}",
                $"finished:  {(job.FinishedAt is { } f ? $"{f.ToDateTimeOffset():u}" : "-")}"));
            if (job.History.Count > 1)
                await output.WriteLineAsync($"loss:      {ProgressLine.Curve(job.History.Where(h => h.Step > 0).Select(h => h.Loss).ToList(), 60)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Watch(GlobalOptions global, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("job-id") { Description = "The job's id" };
        var command = new Command("watch", "Follow a job until it ends.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            return await FollowAsync(client, parse.GetValue(id)!, output, error, parse.GetValue(global.Json), ct);
        });
        return command;
    }

    private static Command Cancel(GlobalOptions global, TextWriter output)
    {
        var id = new Argument<string>("job-id") { Description = "The job's id" };
        var command = new Command("cancel", "Cancel a queued or running job; nothing is registered.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.CreateClient(parse);
            var job = await client.CancelTrainingAsync(parse.GetValue(id)!, ct);
            await output.WriteLineAsync(parse.GetValue(global.Json) ? JsonOutput.Format(job) : $"{job.JobId}: {State(job.State)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Outcome(TrainingJob job) => job.State switch
    {
        TrainingJobState.Succeeded => $"trained {job.AdapterId} ({job.PeftType}, version {GenerateCommand.Short(job.AdapterVersion)}): servable now",
        TrainingJobState.Cancelled => $"{job.JobId} was cancelled",
        _ => $"{job.JobId} failed: {job.Error}",
    };

    internal static string State(TrainingJobState state) => state.ToString().ToLowerInvariant();
}

/// <summary>The text a terminal shows for training: a progress bar line and a loss curve of block characters.</summary>
internal static class ProgressLine
{
    private const string Blocks = "▁▂▃▄▅▆▇█";

    public static string Render(TrainingProgress p)
    {
        const int width = 24;
        double done = p.TotalSteps == 0 ? 0 : (double)p.Step / p.TotalSteps;
        int filled = (int)Math.Round(done * width);
        string eval = p.HasEvalLoss ? $" eval {p.EvalLoss:F4}" : "";
        if (p.Step == 0) return $"[{new string('-', width)}] step 0/{p.TotalSteps}{eval} (before training)";
        return $"[{new string('#', filled)}{new string('-', width - filled)}] step {p.Step}/{p.TotalSteps} loss {p.Loss:F4}{eval} lr {p.LearningRate:G3} " +
            $"{p.TokensPerSecond:F0} tok/s ETA {TimeSpan.FromSeconds(Math.Round(p.EtaSeconds)):g}";
    }

    /// <summary>The values resampled to at most <paramref name="width"/> columns, each a block from low to high.</summary>
    public static string Curve(IReadOnlyList<double> values, int width)
    {
        if (values.Count == 0) return "";
        int columns = Math.Min(width, values.Count);
        var points = Enumerable.Range(0, columns).Select(c =>
        {
            int from = c * values.Count / columns, to = Math.Max(from + 1, (c + 1) * values.Count / columns);
            return values.Skip(from).Take(to - from).Average();
        }).ToArray();
        double min = points.Min(), max = points.Max();
        return new string(points.Select(v => Blocks[max == min ? 0 : (int)Math.Round((v - min) / (max - min) * (Blocks.Length - 1))]).ToArray());
    }
}
