namespace Peft.Testing;

/// <summary>Paths of the checked-in fixtures, and model directories assembled from them for server tests.</summary>
public static class Fixtures
{
    private static readonly Lazy<string> TokenizedLlama = new(MakeTokenizedLlama);
    private static readonly Lazy<string> ChatLlama = new(MakeChatLlama);

    /// <summary>The chat template of <see cref="LlamaWithChatTemplate"/>: each message as &lt;|role|&gt;content, then EOS.</summary>
    public const string LlamaChatTemplate =
        "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + eos_token }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>tests/fixtures/hf: the Hugging Face tiny models and PEFT adapters (the adapter root in tests).</summary>
    public static string HfRoot => Path.Combine(RepositoryRoot, "tests", "fixtures", "hf");

    /// <summary>tests/fixtures/methods: PEFT's newer methods, saved by PEFT; its Llama has the same shape as the hf one.</summary>
    public static string MethodsAdapter(string family, string name) => Path.Combine(RepositoryRoot, "tests", "fixtures", "methods", family, "adapters", name);

    /// <summary>The tiny Llama (vocabulary 384, 256 positions) without tokenizer files: token-id prompts only.</summary>
    public static string LlamaBase => Path.Combine(HfRoot, "llama", "base");

    /// <summary>An adapter of the tiny Llama: lora_qv, lora_all, lora_pattern, prefix, prefix_proj, prompt, ptuning.</summary>
    public static string LlamaAdapter(string name) => Path.Combine(HfRoot, "llama", "adapters", name);

    /// <summary>
    /// The tiny Llama plus the GPT-2 byte-level test tokenizer (280 tokens, within the model's 384), so text prompts
    /// work: one temporary directory per test process, removed at exit.
    /// </summary>
    public static string LlamaWithTokenizer => TokenizedLlama.Value;

    /// <summary><see cref="LlamaWithTokenizer"/> whose tokenizer_config.json also has <see cref="LlamaChatTemplate"/>.</summary>
    public static string LlamaWithChatTemplate => ChatLlama.Value;

    /// <summary>models/demo: the bundled demo model (Llama architecture, its own byte-level BPE tokenizer).</summary>
    public static string DemoModel => Path.Combine(RepositoryRoot, "models", "demo");

    /// <summary>datasets/demo-task: the demo fine-tuning task (train.jsonl, heldout.jsonl).</summary>
    public static string DemoTask(string file) => Path.Combine(RepositoryRoot, "datasets", "demo-task", file);

    /// <summary>A fresh temporary directory, removed by the caller.</summary>
    public static string TempDirectory(string prefix)
    {
        string path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string MakeTokenizedLlama()
    {
        string directory = TempDirectory("peft-llama-tok");
        foreach (string file in Directory.GetFiles(LlamaBase)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        string tokenizer = Path.Combine(RepositoryRoot, "tests", "fixtures", "tokenizers", "gpt2-bytelevel");
        foreach (string name in (string[])["tokenizer.json", "tokenizer_config.json"])
            File.Copy(Path.Combine(tokenizer, name), Path.Combine(directory, name));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(directory);
        return directory;
    }

    private static string MakeChatLlama()
    {
        string directory = TempDirectory("peft-llama-chat");
        foreach (string file in Directory.GetFiles(LlamaWithTokenizer)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        string configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["chat_template"] = LlamaChatTemplate;
        File.WriteAllText(configPath, config.ToJsonString());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(directory);
        return directory;
    }

    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Peft.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Peft.sln above {AppContext.BaseDirectory}");
    }
}
