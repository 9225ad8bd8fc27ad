namespace Peft.LoadTests.Workload;

/// <summary>
/// One request of a workload: when it is sent (offset from the start), which adapter by popularity rank
/// (0 = most popular; how a rank becomes an adapter id is the scenario's business), its prompt and how many
/// tokens it generates (EOS is ignored, so exactly that many).
/// </summary>
internal sealed record RequestSpec(int Index, TimeSpan Offset, int AdapterRank, IReadOnlyList<int> PromptTokens, int OutputTokens);
