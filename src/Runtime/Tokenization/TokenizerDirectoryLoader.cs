namespace Peft.Runtime.Tokenization;

/// <summary>
/// Reads a Hugging Face model directory into a <see cref="ModelTokenizer"/>: picks the tokenizer file, merges in
/// the added tokens of tokenizer_config.json, and settles BOS, EOS and what encode adds around the text.
/// </summary>
/// <remarks>
/// File choice: a byte-level tokenizer.json is built directly. A SentencePiece-style tokenizer.json (Llama 2,
/// Mistral) is served from tokenizer.model, which must then be present; its added_tokens still count.
/// Precedence for token roles: tokenizer_config.json, then special_tokens_map.json, then generation_config.json
/// (BOS), then the tokenizer file's defaults. EOS ids are the union of the tokenizer's and generation_config's.
/// </remarks>
internal static class TokenizerDirectoryLoader
{
    public static ModelTokenizer Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new TokenizerLoadException($"model directory '{directory}' does not exist");
        TokenizerConfig config = TokenizerConfig.Read(directory);
        GenerationConfig generation = GenerationConfig.Read(directory);
        (TokenizerModel model, TokenizerJsonFile? sentencePieceJson) = LoadModel(directory);

        var added = new AddedTokenSet();
        added.AddRange(model.AddedTokens, model.Source);
        if (sentencePieceJson is not null)
            added.AddRange(sentencePieceJson.AddedTokens, TokenizerJsonFile.FileName);
        added.AddRange(config.AddedTokens, $"{TokenizerConfig.FileName} added_tokens_decoder");
        var matcher = new AddedTokenMatcher(added.Tokens);

        int? Resolve(ConfiguredToken? token)
        {
            if (token is null)
                return null;
            if (matcher.TryGet(token.Content, out AddedToken? addedToken))
                return addedToken.Id;
            if (model.Vocabulary.TryGetValue(token.Content, out int id))
                return id;
            throw new TokenizerLoadException($"{token.Where}: '{token.Content}' is not a token of this tokenizer");
        }

        int? bos = Resolve(config.BosToken) ?? generation.BosTokenId ?? model.Defaults.Bos;
        int? eos = Resolve(config.EosToken) ?? model.Defaults.Eos;
        int? unk = Resolve(config.UnkToken) ?? model.Defaults.Unk;
        int? pad = Resolve(config.PadToken) ?? model.Defaults.Pad;
        // Special = what skip_special_tokens drops: added tokens flagged special, and every token a config names.
        var special = new HashSet<int>(added.Tokens.Where(t => t.Special).Select(t => t.Id));
        foreach (int? id in (int?[])[bos, eos, unk, pad, .. config.AdditionalSpecialTokens.Select(Resolve)])
            if (id is { } value)
                special.Add(value);

        List<int> eosIds = eos is { } e ? [e] : [];
        eosIds.AddRange(generation.EosTokenIds.Where(id => !eosIds.Contains(id)));
        return new ModelTokenizer(model.Encoder, matcher, BuildTable(model, added, special), model.StripLeadingSpace,
            Prefix(config, model, bos), Suffix(config, model, eos), bos, eosIds);
    }

    /// <summary>
    /// What encode(add_special_tokens=True) puts before the text: tokenizer_config.json's add_bos_token wins over
    /// the tokenizer file (transformers rebuilds the post-processor from it the same way).
    /// </summary>
    private static IReadOnlyList<int> Prefix(TokenizerConfig config, TokenizerModel model, int? bos) => config.AddBosToken switch
    {
        true => [bos ?? throw new TokenizerLoadException($"{TokenizerConfig.FileName}: add_bos_token is true but there is no bos_token")],
        false => [],
        null => model.Defaults.Prefix,
    };

    private static IReadOnlyList<int> Suffix(TokenizerConfig config, TokenizerModel model, int? eos) => config.AddEosToken switch
    {
        true => [eos ?? throw new TokenizerLoadException($"{TokenizerConfig.FileName}: add_eos_token is true but there is no eos_token")],
        false => [],
        null => model.Defaults.Suffix,
    };

    private static TokenTable BuildTable(TokenizerModel model, AddedTokenSet added, HashSet<int> special)
    {
        var table = new TokenTable.Builder();
        foreach ((string token, int id) in model.Vocabulary)
            table.Set(id, model.BytesOf(token));
        foreach (AddedToken token in added.Tokens)
            table.Set(token.Id, model.BytesOf(token.Content));
        foreach (int id in special)
            table.MarkSpecial(id);
        return table.Build();
    }

    /// <summary>The model, and the SentencePiece-style tokenizer.json it stands in for, if there is one.</summary>
    private static (TokenizerModel, TokenizerJsonFile?) LoadModel(string directory)
    {
        string jsonPath = Path.Combine(directory, TokenizerJsonFile.FileName);
        string modelPath = Path.Combine(directory, SentencePieceBuilder.FileName);
        if (File.Exists(jsonPath))
        {
            TokenizerJsonFile json = TokenizerJsonFile.Load(jsonPath);
            if (json.Kind == TokenizerJsonKind.ByteLevel)
                return (ByteLevelBpeBuilder.Build(json), null);
            if (!File.Exists(modelPath))
                throw new TokenizerLoadException(
                    $"{TokenizerJsonFile.FileName} is a SentencePiece-style BPE (byte fallback, '▁' spaces), which is served from {SentencePieceBuilder.FileName}; there is none in '{directory}'");
            return (SentencePieceBuilder.Build(modelPath), json);
        }
        if (File.Exists(modelPath))
            return (SentencePieceBuilder.Build(modelPath), null);
        throw new TokenizerLoadException(
            $"no tokenizer in '{directory}': expected {TokenizerJsonFile.FileName} or {SentencePieceBuilder.FileName}");
    }
}
