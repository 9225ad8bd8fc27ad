using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Tasks;

/// <summary>
/// The demo task as a conversation, for chat completions: the user asks for the kind of the thing in the sentence,
/// the assistant answers with the label.
/// <code>
/// prompt:     "User: What kind of thing is in this sentence? Mia found a small frog by the pond.\nAssistant:"
/// completion: " animal"
/// </code>
/// The prompt is exactly what the demo model's chat template renders for that one user message (after the BOS the
/// tokenizer adds), so an adapter trained on these prompt/completion pairs answers the same messages sent to
/// /v1/chat/completions.
/// </summary>
internal static class ChatTask
{
    public const string Question = "What kind of thing is in this sentence? ";

    public static TaskExample ToChat(TaskExample example)
    {
        string sentence = example.Prompt[KindOfThingTask.PromptPrefix.Length..^KindOfThingTask.PromptSuffix.Length];
        return new TaskExample(DemoChatTemplate.UserTurn(UserMessage(sentence)), example.Completion);
    }

    public static string UserMessage(string sentence) => Question + sentence;

    public static TaskSplits ToChat(TaskSplits splits) => new([.. splits.Train.Select(ToChat)], [.. splits.Heldout.Select(ToChat)]);
}
