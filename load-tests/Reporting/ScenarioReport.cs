namespace Peft.LoadTests.Reporting;

/// <summary>The result of one open-loop scenario at one rate.</summary>
internal sealed record ScenarioReport
{
    public required string Scenario { get; init; }
    public required double Rate { get; init; }
    public required int Sent { get; init; }
    public required int Completed { get; init; }
    /// <summary>Requests by final status (OK included).</summary>
    public required IReadOnlyDictionary<string, int> Statuses { get; init; }
    /// <summary>From the first send to the last completion, seconds.</summary>
    public required double Makespan { get; init; }
    public required double RequestsPerSecond { get; init; }
    public required double OutputTokensPerSecond { get; init; }
    public required LatencyStats Ttft { get; init; }
    public required LatencyStats Tpot { get; init; }
    public required LatencyStats EndToEnd { get; init; }
    public required SloAttainment Slo { get; init; }
    public required int DistinctAdapters { get; init; }
}

/// <summary>Fractions of all sent requests that met each objective, and all of them.</summary>
internal sealed record SloAttainment(SloSpec Spec, double Ttft, double Tpot, double EndToEnd, double All);
