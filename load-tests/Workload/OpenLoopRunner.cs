using Peft.LoadTests.Reporting;
using Peft.LoadTests.Targets;

namespace Peft.LoadTests.Workload;

/// <summary>
/// Sends requests on their schedule whether or not earlier ones have finished (open loop), then waits for the
/// stragglers up to a drain limit, after which they are cancelled (and reported as such).
/// </summary>
internal static class OpenLoopRunner
{
    public static async Task<IReadOnlyList<RequestRecord>> RunAsync(
        ITarget target, IReadOnlyList<RequestSpec> requests, Func<RequestSpec, string?> adapterOf, TimeSpan drain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(adapterOf);
        using var stragglers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = new RunClock();
        var running = new List<Task<RequestRecord>>(requests.Count);
        foreach (var spec in requests.OrderBy(r => r.Offset))
        {
            var wait = spec.Offset - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            running.Add(SendAsync(target, spec, adapterOf(spec), clock, stragglers.Token));
        }
        stragglers.CancelAfter(drain);
        return await Task.WhenAll(running);
    }

    /// <summary>Sends one request and times it; <paramref name="spec"/>'s offset is its scheduled arrival.</summary>
    public static async Task<RequestRecord> SendAsync(ITarget target, RequestSpec spec, string? adapterId, RunClock clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(clock);
        await Task.Yield();   // the sender's loop never runs a request's code
        double sent = clock.Now;
        double? first = null, last = null;
        var outcome = await target.SendAsync(new TargetRequest(adapterId, spec.PromptTokens, spec.OutputTokens), _ =>
        {
            double now = clock.Now;
            first ??= now;
            last = now;
        }, cancellationToken);
        return new RequestRecord(spec.Index, adapterId, spec.PromptTokens.Count, spec.OutputTokens, spec.Offset.TotalSeconds, sent,
            first, last, clock.Now, outcome.OutputTokens, outcome.Status, outcome.Error);
    }
}
