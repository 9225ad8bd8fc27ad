namespace Peft.Runtime.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c>, sorted into the one kind this loader builds itself (byte-level BPE) and
/// the kind it serves from the sibling tokenizer.model instead (SentencePiece-style BPE); anything else is
/// refused with the component named.
/// </summary>
internal sealed class TokenizerJsonFile
{
    public const string FileName = "tokenizer.json";

    private TokenizerJsonFile(ConfigNode root, ConfigNode model, TokenizerJsonKind kind, List<AddedToken> addedTokens)
    {
        Root = root;
        Model = model;
        Kind = kind;
        AddedTokens = addedTokens;
    }

    public ConfigNode Root { get; }
    public ConfigNode Model { get; }
    public TokenizerJsonKind Kind { get; }
    public List<AddedToken> AddedTokens { get; }

    public static TokenizerJsonFile Load(string path)
    {
        ConfigNode root = ConfigNode.Load(path);
        ConfigNode model = root.Required("model");
        // Files from older tokenizers versions leave out model.type; only BPE has merges.
        string type = model.OptionalString("type") ?? (model.Optional("merges") is null ? "(untyped, no merges)" : "BPE");
        if (type != "BPE")
            throw model.Error($"model type '{type}' is not supported (only BPE: byte-level, or SentencePiece-style via tokenizer.model)");
        List<AddedToken> added = root.Optional("added_tokens") is { } list
            ? [.. list.Items().Select(entry => AddedTokenReader.Read(entry, entry.Required("id").GetInt32()))]
            : [];
        return new TokenizerJsonFile(root, model, Classify(root, model), added);
    }

    private static TokenizerJsonKind Classify(ConfigNode root, ConfigNode model)
    {
        HashSet<string> decoders = ComponentTypes(root.Optional("decoder"));
        HashSet<string> preTokenizers = ComponentTypes(root.Optional("pre_tokenizer"));
        HashSet<string> normalizers = ComponentTypes(root.Optional("normalizer"));
        bool sentencePieceStyle = model.OptionalBoolean("byte_fallback") == true
            || decoders.Overlaps(["Metaspace", "ByteFallback", "Replace", "Fuse", "Strip"])
            || preTokenizers.Contains("Metaspace")
            || normalizers.Overlaps(["Prepend", "Replace"]);
        if (sentencePieceStyle)
            return TokenizerJsonKind.SentencePieceStyle;
        if (decoders.Contains("ByteLevel") || preTokenizers.Contains("ByteLevel"))
            return TokenizerJsonKind.ByteLevel;
        string decoder = decoders.Count == 0 ? "none" : string.Join(", ", decoders);
        throw root.Error($"a BPE without ByteLevel or SentencePiece-style decoding (decoder: {decoder}) is not supported");
    }

    /// <summary>Every "type" in a component, looking inside Sequence components.</summary>
    private static HashSet<string> ComponentTypes(ConfigNode? component)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        Collect(component);
        return types;

        void Collect(ConfigNode? node)
        {
            if (node is not { Kind: System.Text.Json.JsonValueKind.Object } n)
                return;
            if (n.OptionalString("type") is { } type)
                types.Add(type);
            foreach (string children in (string[])["decoders", "pretokenizers", "normalizers", "processors"])
                if (n.Optional(children) is { Kind: System.Text.Json.JsonValueKind.Array } list)
                    foreach (ConfigNode child in list.Items())
                        Collect(child);
        }
    }
}

internal enum TokenizerJsonKind
{
    /// <summary>GPT-2 / Llama 3 / Qwen2: ByteLevel pre-tokenizer and decoder.</summary>
    ByteLevel,

    /// <summary>Llama 2 / Mistral converted from SentencePiece: '▁' spaces, &lt;0xNN&gt; byte fallback.</summary>
    SentencePieceStyle,
}
