using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Benchmarks;

/// <summary>One run of the forward benchmark. <see cref="Notes"/> says what was skipped and why.</summary>
internal sealed record ForwardReport(MachineInfo Machine, ForwardSettings Settings, IReadOnlyList<ForwardRow> Rows, IReadOnlyList<string> Notes);
