namespace Peft.LoadTests.Workload;

/// <summary>
/// How a workload's adapter ranks become requests, for the load command's scenarios: every request through its
/// Zipf-drawn adapter (mixed), no adapter (base), everyone on the most popular adapter (single), or the mixed
/// assignment served one adapter at a time (the PEFT set_adapter baseline).
/// </summary>
internal enum Scenario
{
    Mixed,
    Base,
    Single,
    OneAtATime,
}

internal static class Scenarios
{
    public static IReadOnlyList<Scenario> All { get; } = [Scenario.Mixed, Scenario.Base, Scenario.Single, Scenario.OneAtATime];

    public static string Name(this Scenario scenario) => scenario switch
    {
        Scenario.Mixed => "mixed",
        Scenario.Base => "base",
        Scenario.Single => "single",
        Scenario.OneAtATime => "one-at-a-time",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    public static Scenario Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string wanted = name.Trim().ToLowerInvariant();
        foreach (var scenario in All)
            if (scenario.Name() == wanted) return scenario;
        throw new FormatException($"scenario '{name}' is not one of {string.Join(", ", All.Select(x => x.Name()))}");
    }

    /// <summary>The adapter id a request uses under this scenario; null is the base model.</summary>
    public static string? AdapterOf(this Scenario scenario, RequestSpec request, IReadOnlyList<string> adapterIds)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(adapterIds);
        return scenario switch
        {
            Scenario.Base => null,
            Scenario.Single => adapterIds[0],
            _ => adapterIds[request.AdapterRank],
        };
    }
}
