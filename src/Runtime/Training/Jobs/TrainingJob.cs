using System.Threading.Channels;

namespace Peft.Runtime.Training.Jobs;

/// <summary>A snapshot of a job for callers (progress is the latest optimizer step).</summary>
public sealed record TrainingJobInfo(
    string JobId,
    TrainingJobSpec Spec,
    TrainingJobState State,
    TrainingProgress? Progress,
    string? Error,
    string? AdapterVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>What a watcher receives: a state change or a new progress point.</summary>
public sealed record TrainingJobEvent(TrainingJobInfo Job, TrainingProgress? Progress);

/// <summary>
/// One job: its spec, data, state and progress history, and its watchers. State changes happen on the engine thread
/// (or the registration task); readers take snapshots. Thread-safe.
/// </summary>
#pragma warning disable CA1001 // Its cancellation source has no timer, so there is nothing to free; jobs live with the manager.
public sealed class TrainingJob
#pragma warning restore CA1001
{
    private readonly Lock _gate = new();
    private readonly List<TrainingProgress> _history = [];
    private readonly List<Channel<TrainingJobEvent>> _watchers = [];
    private readonly int _historyLimit;
    private TrainingJobState _state;
    private string? _error;
    private string? _adapterVersion;
    private DateTimeOffset? _finishedAt;
    private readonly CancellationTokenSource _cancel = new();

    internal TrainingJob(string id, TrainingJobSpec spec, string directory, DateTimeOffset createdAt, int historyLimit)
    {
        JobId = id;
        Spec = spec;
        Directory = directory;
        CreatedAt = createdAt;
        _historyLimit = historyLimit;
        _state = TrainingJobState.Queued;
    }

    public string JobId { get; }
    public TrainingJobSpec Spec { get; }
    internal string Directory { get; }
    public DateTimeOffset CreatedAt { get; }
    public bool CancelRequested => _cancel.IsCancellationRequested;

    /// <summary>Cancelled when the job is: stops reading its data within a line.</summary>
    internal CancellationToken Cancellation => _cancel.Token;

    public TrainingJobState State
    {
        get
        {
            lock (_gate) return _state;
        }
    }

    public TrainingJobInfo Snapshot()
    {
        lock (_gate) return new(JobId, Spec, _state, _history.LastOrDefault(), _error, _adapterVersion, CreatedAt, _finishedAt);
    }

    /// <summary>Progress so far (bounded), for a loss curve.</summary>
    public IReadOnlyList<TrainingProgress> History()
    {
        lock (_gate) return [.. _history];
    }

    /// <summary>
    /// A stream of events: the current state first, then the progress recorded so far (the retained history, so a
    /// watcher that arrives late still sees the step-0 evaluation and the whole loss curve of a short job), then every
    /// change until the job ends. Replay and subscription happen under one lock: no step is missed or repeated.
    /// </summary>
    public ChannelReader<TrainingJobEvent> Watch()
    {
        var channel = Channel.CreateUnbounded<TrainingJobEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            var info = new TrainingJobInfo(JobId, Spec, _state, _history.LastOrDefault(), _error, _adapterVersion, CreatedAt, _finishedAt);
            channel.Writer.TryWrite(new TrainingJobEvent(info, null));
            foreach (var progress in _history) channel.Writer.TryWrite(new TrainingJobEvent(info, progress));
            if (_state.IsTerminal()) channel.Writer.TryComplete();
            else _watchers.Add(channel);
        }
        return channel.Reader;
    }

    internal void RequestCancel() => _cancel.Cancel();

    internal void Report(TrainingProgress progress)
    {
        lock (_gate)
        {
            _history.Add(progress);
            if (_history.Count > _historyLimit) _history.RemoveAt(0);
            Publish(progress);
        }
    }

    internal void MoveTo(TrainingJobState state, DateTimeOffset now, string? error = null, string? adapterVersion = null)
    {
        lock (_gate)
        {
            if (_state.IsTerminal()) return;
            _state = state;
            _error = error ?? _error;
            _adapterVersion = adapterVersion ?? _adapterVersion;
            if (state.IsTerminal()) _finishedAt = now;
            Publish(null);
            if (!state.IsTerminal()) return;
            foreach (var w in _watchers) w.Writer.TryComplete();
            _watchers.Clear();
        }
    }

    private void Publish(TrainingProgress? progress)
    {
        var info = new TrainingJobInfo(JobId, Spec, _state, _history.LastOrDefault(), _error, _adapterVersion, CreatedAt, _finishedAt);
        foreach (var w in _watchers) w.Writer.TryWrite(new TrainingJobEvent(info, progress));
    }
}
