using Peft.LoadTests.Reporting;
using Peft.LoadTests.Targets;

namespace Peft.LoadTests.Workload;

/// <summary>
/// A fixed number of clients, each sending its next request as soon as its previous one ends (closed loop):
/// the engine always holds <c>concurrency</c> requests while work remains. Requests are taken in list order.
/// </summary>
internal static class ClosedLoopRunner
{
    public static async Task<IReadOnlyList<RequestRecord>> RunAsync(
        ITarget target, IReadOnlyList<RequestSpec> requests, Func<RequestSpec, string?> adapterOf, int concurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var clock = new RunClock();
        var records = new RequestRecord[requests.Count];
        int next = -1;
        async Task Client()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                // Closed loop: the request is "scheduled" when its client is free to send it.
                var spec = requests[i] with { Offset = clock.Elapsed };
                records[i] = await OpenLoopRunner.SendAsync(target, spec, adapterOf(requests[i]), clock, cancellationToken);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, requests.Count)).Select(_ => Client()));
        return records;
    }
}
