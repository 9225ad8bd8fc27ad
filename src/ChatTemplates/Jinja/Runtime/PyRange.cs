namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>Python's <c>range</c>: a lazy arithmetic sequence with a length, printed as <c>range(start, stop[, step])</c>.</summary>
internal sealed class PyRange
{
    /// <summary>jinja2's sandbox refuses ranges longer than this (MAX_RANGE).</summary>
    public const long MaxLength = 100_000;

    public PyRange(long start, long stop, long step)
    {
        if (step == 0)
        {
            throw TemplateError.ValueError("range() arg 3 must not be zero");
        }

        Start = start;
        Stop = stop;
        Step = step;
        var span = step > 0 ? stop - start : start - stop;
        var magnitude = Math.Abs(step);
        Count = span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
        if (Count > MaxLength)
        {
            throw new TemplateError(
                TemplateErrorKind.Overflow,
                $"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxLength}).");
        }
    }

    public long Start { get; }

    public long Stop { get; }

    public long Step { get; }

    public long Count { get; }

    public long this[long index] => Start + (index * Step);

    public IEnumerable<object?> Enumerate()
    {
        for (long i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }
}
