using System.Globalization;

namespace Peft.LoadTests.Chaos;

/// <summary>One broken guarantee: which trial, which invariant, and what was seen.</summary>
internal sealed record ChaosFailure(string Trial, string Invariant, string Detail)
{
    public override string ToString() => $"FAIL {Trial}: {Invariant}: {Detail}";
}

/// <summary>The figures of a run and every failure, each with its trial and invariant. Thread-safe.</summary>
internal sealed class ChaosReport
{
    private readonly Lock _lock = new();
    private readonly List<ChaosFailure> _failures = [];
    private readonly List<string> _skipped = [];
    private int _kills, _diskFull, _requests, _lost, _partial, _internal, _wrong;

    public TextWriter Log { get; init; } = TextWriter.Null;

    public double? RssGrowthPercent { get; set; }

    public int Kills => _kills;
    public int DiskFull => _diskFull;
    public int Requests => _requests;
    public int Lost => _lost;
    public int Partial => _partial;
    public int Internal => _internal;
    public int Wrong => _wrong;

    public IReadOnlyList<ChaosFailure> Failures
    {
        get
        {
            lock (_lock) return [.. _failures];
        }
    }

    public IReadOnlyList<string> Skipped
    {
        get
        {
            lock (_lock) return [.. _skipped];
        }
    }

    public void Killed() => Interlocked.Increment(ref _kills);
    public void DiskFullTrial() => Interlocked.Increment(ref _diskFull);
    public void Requested(int count = 1) => Interlocked.Add(ref _requests, count);

    /// <summary>An acknowledged adapter (or unload) that a restart did not keep.</summary>
    public void LostOne(string trial, string detail) => Record(ref _lost, trial, "acknowledged state kept", detail);

    /// <summary>A visible adapter that is not complete: unknown, or not serving its solo output.</summary>
    public void PartialOne(string trial, string detail) => Record(ref _partial, trial, "no partial adapter visible", detail);

    public void InternalOne(string trial, string detail) => Record(ref _internal, trial, "no INTERNAL", detail);

    public void WrongOne(string trial, string detail) => Record(ref _wrong, trial, "every output is its adapter version's solo output", detail);

    public void Fail(string trial, string invariant, string detail)
    {
        var failure = new ChaosFailure(trial, invariant, detail);
        lock (_lock) _failures.Add(failure);
        Log.WriteLine(failure);
    }

    public void Skip(string what, string reason)
    {
        lock (_lock) _skipped.Add($"{what}: {reason}");
        Log.WriteLine($"SKIP {what}: {reason}");
    }

    private void Record(ref int counter, string trial, string invariant, string detail)
    {
        Interlocked.Increment(ref counter);
        Fail(trial, invariant, detail);
    }

    /// <summary>The one line of figures the run ends with.</summary>
    public string SummaryLine() => Summary(Kills, DiskFull, Requests, Lost, Partial, Internal, Wrong, RssGrowthPercent);

    public static string Summary(int kills, int diskFull, int requests, int lost, int partial, int @internal, int wrong, double? rss) =>
        string.Create(CultureInfo.InvariantCulture,
            $"chaos: {kills} kills, {diskFull} disk-full, {requests} requests, {lost} lost, {partial} partial, {@internal} internal, {wrong} wrong, RSS {(rss is { } r ? $"{(r >= 0 ? "+" : "")}{r:0.0}%" : "n/a")}");
}
