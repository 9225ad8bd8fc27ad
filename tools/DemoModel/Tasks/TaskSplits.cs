namespace Peft.Tools.DemoModel.Tasks;

/// <summary>A task's examples: <see cref="Train"/> to fine-tune on, <see cref="Heldout"/> to score on; no prompt is in both.</summary>
internal sealed record TaskSplits(IReadOnlyList<TaskExample> Train, IReadOnlyList<TaskExample> Heldout);
