using System.Globalization;
using System.Text.Json;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// The special-token settings of <c>tokenizer_config.json</c>, with <c>special_tokens_map.json</c> (older
/// checkpoints) filling in tokens the config leaves out. Tokens are given either as a string or as an
/// <c>{"content": ...}</c> object; <see cref="ConfiguredToken.Where"/> remembers the field, for errors.
/// </summary>
internal sealed class TokenizerConfig
{
    public const string FileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    public ConfiguredToken? BosToken { get; private set; }
    public ConfiguredToken? EosToken { get; private set; }
    public ConfiguredToken? UnkToken { get; private set; }
    public ConfiguredToken? PadToken { get; private set; }
    public List<ConfiguredToken> AdditionalSpecialTokens { get; } = [];

    /// <summary><c>add_bos_token</c>; null when the file does not say (the tokenizer file's template decides).</summary>
    public bool? AddBosToken { get; private set; }

    public bool? AddEosToken { get; private set; }

    /// <summary><c>added_tokens_decoder</c>: id to token, as transformers writes it.</summary>
    public List<AddedToken> AddedTokens { get; } = [];

    public static TokenizerConfig Read(string directory)
    {
        var config = new TokenizerConfig();
        string path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            ConfigNode root = ConfigNode.Load(path);
            config.ReadTokens(root);
            config.AddBosToken = root.OptionalBoolean("add_bos_token");
            config.AddEosToken = root.OptionalBoolean("add_eos_token");
            if (root.Optional("added_tokens_decoder") is { } decoder)
                config.ReadAddedTokens(decoder);
        }
        string mapPath = Path.Combine(directory, SpecialTokensMapFileName);
        if (File.Exists(mapPath))
            config.ReadTokens(ConfigNode.Load(mapPath));
        return config;
    }

    /// <summary>Reads the token fields this instance does not have yet (the first file read wins).</summary>
    private void ReadTokens(ConfigNode root)
    {
        BosToken ??= ReadToken(root, "bos_token");
        EosToken ??= ReadToken(root, "eos_token");
        UnkToken ??= ReadToken(root, "unk_token");
        PadToken ??= ReadToken(root, "pad_token");
        if (AdditionalSpecialTokens.Count == 0 && root.Optional("additional_special_tokens") is { } list)
            AdditionalSpecialTokens.AddRange(list.Items().Select(ReadToken));
    }

    private static ConfiguredToken? ReadToken(ConfigNode root, string name) =>
        root.Optional(name) is { } node ? ReadToken(node) : null;

    private static ConfiguredToken ReadToken(ConfigNode node) => node.Kind switch
    {
        JsonValueKind.String => new ConfiguredToken(node.GetString(), $"{node.File}: {node.Path}"),
        JsonValueKind.Object => new ConfiguredToken(node.Required("content").GetString(), $"{node.File}: {node.Path}"),
        _ => throw node.Error("expected a token string or an object with \"content\""),
    };

    private void ReadAddedTokens(ConfigNode decoder)
    {
        foreach ((string key, ConfigNode entry) in decoder.Properties())
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                throw entry.Error("the key is not a token id");
            AddedTokens.Add(AddedTokenReader.Read(entry, id));
        }
    }
}

/// <summary>A token named in a config file, and where (file: field), for error messages.</summary>
internal sealed record ConfiguredToken(string Content, string Where);
