namespace Peft.LoadTests.Chaos;

/// <summary>
/// What the client may expect of each adapter id after a crash: the state its last acknowledged call left (present
/// with a version, or absent), plus the states an unanswered call may have left. Updated from call outcomes;
/// compared with what a restarted server lists.
/// </summary>
internal sealed class AdapterLedger
{
    /// <summary>Any complete version (a training job's output, whose version the client learns later).</summary>
    public const string AnyVersion = "*";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = [];

    /// <summary>Absent is null.</summary>
    private sealed class Entry
    {
        public string? Expected;
        public HashSet<string?> Possible = [];
    }

    /// <summary>Ids whose last acknowledged state is present.</summary>
    public IReadOnlyList<string> Present
    {
        get
        {
            lock (_lock) return [.. _entries.Where(e => e.Value.Expected is not null).Select(e => e.Key).Order(StringComparer.Ordinal)];
        }
    }

    public string? Expected(string id)
    {
        lock (_lock) return _entries.TryGetValue(id, out var e) ? e.Expected : null;
    }

    /// <summary>A call that would leave <paramref name="id"/> at <paramref name="version"/> (null: absent) was sent.</summary>
    public void Sent(string id, string? version)
    {
        lock (_lock) Get(id).Possible.Add(version);
    }

    /// <summary>The call answered OK: this is now the state.</summary>
    public void Acknowledged(string id, string? version)
    {
        lock (_lock)
        {
            var e = Get(id);
            e.Expected = version;
            e.Possible.Clear();
        }
    }

    /// <summary>The call answered with a refusal: nothing changed.</summary>
    public void Refused(string id, string? version)
    {
        lock (_lock) Get(id).Possible.Remove(version);
    }

    /// <summary>
    /// Compares a restarted server's list with the ledger, then adopts what is listed (unanswered calls are resolved).
    /// </summary>
    /// <param name="listed">id → version as listed after the restart.</param>
    /// <param name="complete">Whether a version is a known complete one (a fixture's, or a finished job's).</param>
    public IReadOnlyList<LedgerViolation> Reconcile(IReadOnlyDictionary<string, string> listed, Func<string, bool> complete)
    {
        var violations = new List<LedgerViolation>();
        lock (_lock)
        {
            foreach (var (id, e) in _entries)
            {
                string? actual = listed.TryGetValue(id, out var v) ? v : null;
                bool allowed = Matches(e.Expected, actual) || e.Possible.Any(p => Matches(p, actual));
                string found = $"expected {string.Join(" or ", new[] { e.Expected }.Concat(e.Possible).Distinct().Select(Describe))}, found {Describe(actual)}";
                if (actual is not null && !complete(actual))
                    violations.Add(new LedgerViolation(LedgerViolationKind.Partial, id, $"{found}, which is not a complete adapter's"));
                else if (!allowed)
                    violations.Add(new LedgerViolation(LedgerViolationKind.Lost, id, found));
            }
            foreach (var (id, version) in listed.Where(l => !_entries.ContainsKey(l.Key)))
                violations.Add(new LedgerViolation(LedgerViolationKind.Partial, id, $"listed with version {version}, but never registered"));
            foreach (var (id, e) in _entries)
            {
                e.Expected = listed.TryGetValue(id, out var v) ? v : null;
                e.Possible.Clear();
            }
        }
        return violations;
    }

    private static bool Matches(string? wanted, string? actual) => wanted == AnyVersion ? actual is not null : wanted == actual;

    private static string Describe(string? version) => version switch
    {
        null => "absent",
        AnyVersion => "present",
        _ => $"version {version[..Math.Min(12, version.Length)]}",
    };

    private Entry Get(string id)
    {
        if (!_entries.TryGetValue(id, out var e)) _entries[id] = e = new Entry();
        return e;
    }
}

internal enum LedgerViolationKind
{
    /// <summary>An acknowledged registration or unload that the restart did not keep.</summary>
    Lost,

    /// <summary>A visible adapter the client never got, or one that is not complete.</summary>
    Partial,
}

internal sealed record LedgerViolation(LedgerViolationKind Kind, string Id, string Detail);
