using Peft.Runtime.Torch;

namespace Peft.Runtime.Engine;

/// <summary>
/// When the engine hands freed native memory back to the kernel. libtorch takes a step's tensors from glibc's heap,
/// and glibc keeps what they leave free mapped in each thread's arena: a prefill chunk's activations, freed, stayed
/// resident through the decode steps after it, and peak RSS grew wave by wave (docs/benchmarks.md, "Peak memory"). The
/// engine trims once it has waited a quiet spell for work (<see cref="QuietSpell"/>, then <see cref="AfterQuietSpell"/>) and,
/// while busy, at most once per interval; and only when the process grew by <c>growth</c> bytes since the last trim.
/// A trim costs more than its own milliseconds: the next step faults the pages of its activations in again, a third of a
/// 128-token prompt's prefill on a virtual machine whose page faults are slow ("Trims only after the heap grew"), so a
/// client sending one prompt at a time, whose steps free what the next one takes back, is never trimmed.
/// </summary>
internal sealed class HeapTrims(TimeProvider time, TimeSpan busyInterval, TimeSpan idleDelay, long growth, Func<long?> resident, Action trim)
{
    private long _last = time.GetTimestamp();
    private long? _floor = resident();
    private bool _stepped;

    public HeapTrims(TimeProvider time, TimeSpan busyInterval, TimeSpan idleDelay, long growth)
        : this(time, busyInterval, idleDelay, growth, NativeHeap.ResidentBytes, NativeHeap.Trim)
    {
    }

    /// <summary>Trims made (a test hook).</summary>
    public int Count { get; private set; }

    /// <summary>After a step: trims when the last trim (or check) is an interval old and the process grew enough since
    /// the last trim (never when the interval is zero).</summary>
    public void AfterStep()
    {
        _stepped = true;
        if (busyInterval <= TimeSpan.Zero || time.GetElapsedTime(_last) < busyInterval) return;
        _last = time.GetTimestamp();
        if (Grown()) Trim();
    }

    /// <summary>How long an engine out of work waits for more before it calls <see cref="AfterQuietSpell"/>; null when no
    /// step ran since the last trim or check (nothing new to hand back: wait as long as it takes).</summary>
    public TimeSpan? QuietSpell => _stepped ? idleDelay : null;

    /// <summary>The engine waited <see cref="QuietSpell"/> and no work came: trims when a step ran since the last trim
    /// and the process grew enough.</summary>
    public void AfterQuietSpell()
    {
        if (!_stepped) return;
        if (Grown()) Trim();
        else _stepped = false;
    }

    /// <summary>True when growth is zero or the resident size is unknown, as if every byte were worth handing back.</summary>
    private bool Grown() => growth <= 0 || _floor is not { } floor || resident() is not { } now || now - floor >= growth;

    private void Trim()
    {
        trim();
        _floor = resident();
        _stepped = false;
        _last = time.GetTimestamp();
        Count++;
    }
}
