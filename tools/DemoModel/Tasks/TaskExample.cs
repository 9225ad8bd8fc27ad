namespace Peft.Tools.DemoModel.Tasks;

/// <summary>One fine-tuning example: the model sees <see cref="Prompt"/> and should continue with <see cref="Completion"/>.</summary>
internal sealed record TaskExample(string Prompt, string Completion);
