using System.Text.Json;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// <c>generation_config.json</c>'s token ids: <c>bos_token_id</c> and <c>eos_token_id</c>, which may be one id or
/// a list (Llama 3 instruct stops on &lt;|end_of_text|&gt;, &lt;|eom_id|&gt; and &lt;|eot_id|&gt;).
/// </summary>
internal sealed record GenerationConfig(int? BosTokenId, IReadOnlyList<int> EosTokenIds)
{
    public const string FileName = "generation_config.json";

    public static GenerationConfig Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return new GenerationConfig(null, []);
        ConfigNode root = ConfigNode.Load(path);
        int? bos = root.Optional("bos_token_id") is { } b ? TokenId(b) : null;
        IReadOnlyList<int> eos = root.Optional("eos_token_id") switch
        {
            null => [],
            { Kind: JsonValueKind.Array } list => [.. list.Items().Select(TokenId)],
            { } single => [TokenId(single)],
        };
        return new GenerationConfig(bos, eos);
    }

    private static int TokenId(ConfigNode node)
    {
        int id = node.GetInt32();
        return id >= 0 ? id : throw node.Error($"token id {id} is negative");
    }
}
