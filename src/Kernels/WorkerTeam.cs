using System.Diagnostics;

namespace Peft.Kernels;

/// <summary>
/// Kernel threads that stay awake between the parallel parts of a step. A forward runs about a hundred short parallel
/// parts one after another (products, norms, attention, a LoRA's shrinks and expands, some of them 20 to 100 µs
/// long); a thread-pool worker woken by <see cref="Parallel"/> for each came too late to take much part in the short
/// ones on this VM (a one-row product of a 256 × 1,024 matrix: 22 to 26 µs through <c>Parallel.For</c>, 12 to 13 µs
/// with this; docs/benchmarks.md, "Kernel threads that stay awake"). So the workers spin for
/// <see cref="SpinMicroseconds"/> after each part, which covers the gaps inside a step, and sleep after that, which
/// covers the gaps between requests.
/// <para>
/// A part is open from <see cref="TryRun"/> until its caller has finished its own share; a worker that wakes after that
/// skips it, so a late or descheduled worker never holds the caller up, and the work itself must be shared by claims
/// (as <see cref="TileParallel"/> does), not handed out by worker. One part runs at a time: a second caller meanwhile
/// (another engine in the process, a training job) is refused and uses the thread pool instead. A body that throws
/// on a worker is rethrown to the caller; nothing thrown ends a worker thread.
/// </para>
/// </summary>
internal sealed class WorkerTeam : IDisposable
{
    private const double SpinMicroseconds = 200;
    private const int Closed = 1 << 30;

    private static readonly long SpinTicks = (long)(SpinMicroseconds * Stopwatch.Frequency / 1e6);

    private readonly Lock _grow = new();
    private readonly object _sleep = new();
    private int _workers;
    private int _busy;
    private long _part;          // incremented when a part opens
    private int _state;          // workers inside the current part, plus Closed once the caller is done with its share
    private int _helpers;        // workers the current part may use
    private int _sleeping;
    private Action? _body;
    private Exception? _failure;
    private volatile bool _disposed;

    public static WorkerTeam Shared { get; } = new();

    /// <summary>Runs <paramref name="body"/> on the calling thread and on up to <paramref name="threads"/> - 1 workers
    /// that join while it runs; returns once every participant is done. False (nothing ran) while another caller's
    /// part is running.</summary>
    public bool TryRun(int threads, Action body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        try
        {
            EnsureWorkers(threads - 1);
            _body = body;
            _failure = null;
            _helpers = threads - 1;
            Volatile.Write(ref _state, 0);
            Interlocked.Increment(ref _part);
            Wake();
            try
            {
                body();
            }
            finally
            {
                Interlocked.Add(ref _state, Closed);
                var wait = new SpinWait();
                while (Volatile.Read(ref _state) != Closed) wait.SpinOnce(sleep1Threshold: -1);
                _body = null;
            }
            if (_failure is { } failure) throw new AggregateException(failure);
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Stops the workers once they finish what they are in (a part being run still completes).</summary>
    public void Dispose()
    {
        _disposed = true;
        Interlocked.Increment(ref _part);
        Wake();
    }

    private void Wake()
    {
        if (Volatile.Read(ref _sleeping) > 0)
            lock (_sleep) Monitor.PulseAll(_sleep);
    }

    /// <summary>Starts workers up to <paramref name="count"/>; a new one waits for the part after the current
    /// one, which is the part its caller is about to open.</summary>
    private void EnsureWorkers(int count)
    {
        if (Volatile.Read(ref _workers) >= count) return;
        lock (_grow)
        {
            long current = Volatile.Read(ref _part);
            while (_workers < count)
            {
                int index = _workers++;
                new Thread(() => Work(index, current)) { IsBackground = true, Name = $"peft-kernels-{index + 1}" }.Start();
            }
        }
    }

    private void Work(int index, long seen)
    {
        while (true)
        {
            seen = AwaitPart(seen);
            if (_disposed) return;
            if (!Enter()) continue;
            try
            {
                if (index < Volatile.Read(ref _helpers)) _body?.Invoke();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            finally
            {
                Interlocked.Decrement(ref _state);
            }
        }
    }

    /// <summary>Spins until a part after <paramref name="seen"/> opens, sleeping once the spin window passes.</summary>
    private long AwaitPart(long seen)
    {
        long since = Stopwatch.GetTimestamp();
        while (true)
        {
            long part = Volatile.Read(ref _part);
            if (part != seen) return part;
            if (Stopwatch.GetTimestamp() - since < SpinTicks)
            {
                Thread.SpinWait(16);
                continue;
            }
            Interlocked.Increment(ref _sleeping);
            lock (_sleep)
            {
                while (Volatile.Read(ref _part) == seen) Monitor.Wait(_sleep);
            }
            Interlocked.Decrement(ref _sleeping);
            since = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Joins the open part; false once its caller has closed it.</summary>
    private bool Enter()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & Closed) != 0) return false;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state) return true;
        }
    }
}
