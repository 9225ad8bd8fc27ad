namespace Peft.LoadTests.Targets;

/// <summary>
/// The baseline of serving one adapter at a time, as a server built on PEFT's <c>set_adapter</c> does: requests of
/// the active adapter (the base model counts as one) run together, everyone else waits; when the active adapter's
/// last request ends, the adapter of the oldest waiting request becomes active and all its waiting requests go.
/// A request of the active adapter joins at once only while nobody else waits, so no adapter starves.
/// Wraps any target, in-process or gRPC; time spent waiting here is part of the request's latency.
/// </summary>
internal sealed class OneAdapterAtATimeTarget(ITarget inner) : ITarget
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiting = [];
    private string? _active;
    private int _inFlight;

    public string Name => $"{inner.Name}, one adapter at a time";

    /// <summary>Adapter being served now ("" for the base model), or null when idle. For tests.</summary>
    public string? Active
    {
        get
        {
            lock (_gate) return _active;
        }
    }

    public async Task<TargetOutcome> SendAsync(TargetRequest request, Action<int> onTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string key = request.AdapterId ?? "";
        Waiter? waiter = null;
        lock (_gate)
        {
            if (_active is null || (_active == key && _waiting.Count == 0))
            {
                _active = key;
                _inFlight++;
            }
            else
            {
                waiter = new Waiter(key);
                waiter.Node = _waiting.AddLast(waiter);
            }
        }
        if (waiter is not null)
        {
            using var registration = cancellationToken.Register(() => Abandon(waiter));
            if (!await waiter.Turn.Task) return new TargetOutcome("Cancelled", 0, "cancelled while waiting for its adapter's turn");
        }
        try
        {
            return await inner.SendAsync(request, onTokens, cancellationToken);
        }
        finally
        {
            Finished();
        }
    }

    private void Abandon(Waiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null) return;   // already let through
            _waiting.Remove(waiter.Node);
        }
        waiter.Turn.TrySetResult(false);
    }

    private void Finished()
    {
        var released = new List<Waiter>();
        lock (_gate)
        {
            if (--_inFlight > 0) return;
            _active = _waiting.First?.Value.Adapter;
            if (_active is null) return;
            for (var node = _waiting.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Adapter == _active)
                {
                    _waiting.Remove(node);
                    released.Add(node.Value);
                    _inFlight++;
                }
                node = next;
            }
        }
        foreach (var w in released) w.Turn.TrySetResult(true);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class Waiter(string adapter)
    {
        public string Adapter { get; } = adapter;
        public LinkedListNode<Waiter>? Node { get; set; }
        public TaskCompletionSource<bool> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
