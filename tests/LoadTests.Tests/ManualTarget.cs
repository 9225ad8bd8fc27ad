using Peft.LoadTests.Targets;

namespace Peft.LoadTests.Tests;

/// <summary>A target whose requests end when the test says so; it records what ran concurrently.</summary>
internal sealed class ManualTarget : ITarget
{
    private readonly Lock _gate = new();
    private readonly List<(TargetRequest Request, TaskCompletionSource<TargetOutcome> Done)> _running = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

    public string Name => "manual";

    public List<string?> Started { get; } = [];

    public int MaxConcurrent { get; private set; }

    public int MaxDistinctAdapters { get; private set; }

    public IReadOnlyList<TargetRequest> Running
    {
        get
        {
            lock (_gate) return [.. _running.Select(r => r.Request)];
        }
    }

    public Task<TargetOutcome> SendAsync(TargetRequest request, Action<int> onTokens, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<TargetOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _running.Add((request, done));
            Started.Add(request.AdapterId);
            MaxConcurrent = Math.Max(MaxConcurrent, _running.Count);
            MaxDistinctAdapters = Math.Max(MaxDistinctAdapters, _running.Select(r => r.Request.AdapterId).Distinct().Count());
            foreach (var w in _waiters.Where(w => w.Count == _running.Count)) w.Reached.TrySetResult();
        }
        return done.Task;
    }

    /// <summary>Finishes every running request of <paramref name="adapter"/>.</summary>
    public void Finish(string? adapter)
    {
        List<TaskCompletionSource<TargetOutcome>> finished;
        lock (_gate)
        {
            finished = [.. _running.Where(r => r.Request.AdapterId == adapter).Select(r => r.Done)];
            _running.RemoveAll(r => r.Request.AdapterId == adapter);
        }
        foreach (var f in finished) f.SetResult(new TargetOutcome(TargetOutcome.Ok, 1));
    }

    /// <summary>Waits until the target holds <paramref name="count"/> requests at once (new requests only add).</summary>
    public async Task WaitForRunningAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_running.Count == count) return;
            _waiters.Add((count, reached));
        }
        await reached.Task.WaitAsync(TimeSpan.FromMinutes(2));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
