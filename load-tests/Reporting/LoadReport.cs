using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Reporting;

/// <summary>One run of the load command: every scenario at every rate, and the plots drawn from them.</summary>
internal sealed record LoadReport(MachineInfo Machine, LoadSettings Settings, IReadOnlyList<ScenarioReport> Results, IReadOnlyList<string> Plots);
