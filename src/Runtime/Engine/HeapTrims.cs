using Peft.Runtime.Torch;

namespace Peft.Runtime.Engine;

/// <summary>
/// When the engine hands freed native memory back to the kernel. libtorch takes a step's tensors from glibc's heap,
/// and glibc keeps what they leave free mapped in each thread's arena: a prefill chunk's activations, freed, stayed
/// resident through the decode steps after it, and peak RSS grew wave by wave (docs/benchmarks.md, "Peak memory"). The
/// engine trims once it has waited a quiet spell for work (<see cref="QuietSpell"/>, then <see cref="AfterQuietSpell"/>) and,
/// while busy, at most once per interval; a trim costs milliseconds (it walks the free chunks, and the next step
/// faults its pages in again), so it is not done every step nor between requests that come one after another.
/// </summary>
internal sealed class HeapTrims(TimeProvider time, TimeSpan busyInterval, TimeSpan idleDelay, Action trim)
{
    private long _last = time.GetTimestamp();
    private bool _stepped;

    public HeapTrims(TimeProvider time, TimeSpan busyInterval, TimeSpan idleDelay) : this(time, busyInterval, idleDelay, NativeHeap.Trim)
    {
    }

    /// <summary>Trims made (a test hook).</summary>
    public int Count { get; private set; }

    /// <summary>After a step: trims when the last trim is an interval old (never when the interval is zero).</summary>
    public void AfterStep()
    {
        _stepped = true;
        if (busyInterval > TimeSpan.Zero && time.GetElapsedTime(_last) >= busyInterval) Trim();
    }

    /// <summary>How long an engine out of work waits for more before it calls <see cref="AfterQuietSpell"/>; null when no
    /// step ran since the last trim (nothing to hand back: wait as long as it takes).</summary>
    public TimeSpan? QuietSpell => _stepped ? idleDelay : null;

    /// <summary>The engine waited <see cref="QuietSpell"/> and no work came: trims when a step ran since the last trim.</summary>
    public void AfterQuietSpell()
    {
        if (_stepped) Trim();
    }

    private void Trim()
    {
        trim();
        _stepped = false;
        _last = time.GetTimestamp();
        Count++;
    }
}
