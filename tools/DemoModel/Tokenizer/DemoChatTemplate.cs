namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// The demo model's chat template (tokenizer_config.json's <c>chat_template</c>): BOS, then one line per message,
/// <c>User: ...</c> and <c>Assistant: ...&lt;/s&gt;</c> (a system message as its bare text), and <c>Assistant:</c> to
/// ask for the answer. Plain words the corpus already knows, so a small adapter learns the format quickly.
/// </summary>
internal static class DemoChatTemplate
{
    public const string UserPrefix = "User: ";
    public const string GenerationPrompt = "Assistant:";

    public const string Source =
        "{{ bos_token }}{% for message in messages %}"
        + "{% if message['role'] == 'system' %}{{ message['content'] | trim }}\n"
        + "{% elif message['role'] == 'user' %}User: {{ message['content'] | trim }}\n"
        + "{% elif message['role'] == 'assistant' %}Assistant: {{ message['content'] | trim }}{{ eos_token }}\n"
        + "{% else %}{{ raise_exception('the demo model knows the roles system, user and assistant') }}{% endif %}"
        + "{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}";

    /// <summary>What the template renders for one user message with the generation prompt, without the leading BOS
    /// (the tokenizer adds that to a training prompt).</summary>
    public static string UserTurn(string content) => $"{UserPrefix}{content.Trim()}\n{GenerationPrompt}";
}
