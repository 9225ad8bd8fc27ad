using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// Builds a byte-level BPE <see cref="TokenizerModel"/> from tokenizer.json. Supported, because these are what
/// GPT-2, Llama 3 and Qwen2 use: normalizer none or NFC; pre-tokenizer ByteLevel, Split (regex, Isolated), or a
/// Sequence of them; decoder ByteLevel; post-processor ByteLevel or TemplateProcessing. Anything else is refused
/// by name rather than approximated.
/// </summary>
internal static class ByteLevelBpeBuilder
{
    /// <param name="maxChunkChars">Longest piece the BPE model encodes in one go (<see cref="PieceChunker"/>).</param>
    public static TokenizerModel Build(TokenizerJsonFile file, int maxChunkChars = PieceChunker.DefaultMaxChunkChars)
    {
        ConfigNode model = file.Model;
        CheckModelOptions(model);
        Dictionary<string, int> vocabulary = ReadVocabulary(model.Required("vocab"));
        List<string> merges = ReadMerges(model.Required("merges"));
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges,
                ByteLevel = true,
                UnknownToken = model.OptionalString("unk_token"),
            });
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // Merges naming tokens the vocabulary lacks, two tokens with one id, an unk_token not in the vocabulary.
            throw model.Error(e.Message);
        }

        bool nfc = ReadNormalizer(file.Root.Optional("normalizer"));
        (List<RegexSplit> splits, bool addPrefixSpace) = ReadPreTokenizer(file.Root.Optional("pre_tokenizer"));
        CheckDecoder(file.Root.Optional("decoder"));
        bool ignoreMerges = model.OptionalBoolean("ignore_merges") ?? false;
        var encoder = new ByteLevelBpeEncoder(bpe, splits, addPrefixSpace, nfc, ignoreMerges ? vocabulary : null, new PieceChunker(vocabulary.Keys, maxChunkChars));
        (IReadOnlyList<int> prefix, IReadOnlyList<int> suffix) = PostProcessorTemplate.Read(file.Root.Optional("post_processor"));
        return new TokenizerModel(TokenizerJsonFile.FileName, encoder, vocabulary, ByteLevelAlphabet.Unspell, file.AddedTokens,
            new SpecialTokenDefaults(prefix, suffix), StripLeadingSpace: false);
    }

    private static void CheckModelOptions(ConfigNode model)
    {
        if (model.Optional("dropout") is { } dropout && dropout.GetDouble() != 0)
            throw dropout.Error("BPE dropout is not supported at inference");
        foreach (string affix in (string[])["continuing_subword_prefix", "end_of_word_suffix"])
            if (model.OptionalString(affix) is { Length: > 0 } value)
                throw model.Error($"{affix} '{value}' is not supported for byte-level BPE");
    }

    private static Dictionary<string, int> ReadVocabulary(ConfigNode vocab)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string token, ConfigNode id) in vocab.Properties())
        {
            int value = id.GetInt32();
            if (value < 0)
                throw id.Error($"token id {value} is negative");
            vocabulary[token] = value;
        }
        if (vocabulary.Count == 0)
            throw vocab.Error("the vocabulary is empty");
        return vocabulary;
    }

    /// <summary>Merges as "a b" strings, from either the old "a b" form or the newer ["a", "b"] pairs.</summary>
    private static List<string> ReadMerges(ConfigNode merges)
    {
        var result = new List<string>();
        foreach (ConfigNode merge in merges.Items())
        {
            if (merge.Kind == JsonValueKind.String)
            {
                result.Add(merge.GetString());
                continue;
            }
            string[] pair = [.. merge.Items().Select(part => part.GetString())];
            // Byte-level tokens spell a space as 'Ġ', so a real space can only mean a broken file.
            if (pair.Length != 2 || pair.Any(part => part.Length == 0 || part.Contains(' ', StringComparison.Ordinal)))
                throw merge.Error("expected a pair of non-empty tokens without spaces");
            result.Add($"{pair[0]} {pair[1]}");
        }
        return result;
    }

    private static bool ReadNormalizer(ConfigNode? normalizer)
    {
        if (normalizer is null)
            return false;
        string type = normalizer.Value.Required("type").GetString();
        List<ConfigNode> steps = type == "Sequence" ? [.. normalizer.Value.Required("normalizers").Items()] : [normalizer.Value];
        if (steps.Count == 0)
            return false;
        if (steps.Count > 1 || steps[0].Required("type").GetString() != "NFC")
            throw normalizer.Value.Error($"normalizer {Describe(steps)} is not supported (only NFC)");
        // With InvariantGlobalization .NET has no normalization data and string.Normalize silently does nothing.
        if ("e\u0301".Normalize(NormalizationForm.FormC) != "\u00e9")
            throw normalizer.Value.Error(
                "the NFC normalizer needs Unicode normalization, which this process lacks (it runs with InvariantGlobalization); run the host without it");
        return true;
    }

    private static (List<RegexSplit> Splits, bool AddPrefixSpace) ReadPreTokenizer(ConfigNode? preTokenizer)
    {
        var splits = new List<RegexSplit>();
        bool addPrefixSpace = false;
        if (preTokenizer is null)
            return (splits, addPrefixSpace);
        string type = preTokenizer.Value.Required("type").GetString();
        List<ConfigNode> steps = type == "Sequence" ? [.. preTokenizer.Value.Required("pretokenizers").Items()] : [preTokenizer.Value];
        for (int i = 0; i < steps.Count; i++)
        {
            ConfigNode step = steps[i];
            switch (step.Required("type").GetString())
            {
                case "ByteLevel":
                    // HF prepends the space to every piece that exists at this step; only before any split is that
                    // "the text", which is the one configuration in use.
                    if (step.OptionalBoolean("add_prefix_space") ?? true)
                    {
                        if (i > 0)
                            throw step.Error("ByteLevel add_prefix_space after another pre-tokenizer is not supported");
                        addPrefixSpace = true;
                    }
                    if (step.OptionalBoolean("use_regex") ?? true)
                        splits.Add(new RegexSplit(Compile(RegexSplit.Gpt2Pattern, step)));
                    break;
                case "Split":
                    splits.Add(ReadSplit(step));
                    break;
                default:
                    throw step.Error($"pre-tokenizer '{step.Required("type").GetString()}' is not supported (ByteLevel, Split, Sequence)");
            }
        }
        return (splits, addPrefixSpace);
    }

    private static RegexSplit ReadSplit(ConfigNode split)
    {
        string behavior = split.Required("behavior").GetString();
        if (behavior != "Isolated")
            throw split.Error($"Split behavior '{behavior}' is not supported (only Isolated)");
        if (split.OptionalBoolean("invert") == true)
            throw split.Error("Split with invert is not supported");
        ConfigNode pattern = split.Required("pattern");
        if (pattern.OptionalString("Regex") is { } regex)
            return new RegexSplit(Compile(regex, pattern));
        if (pattern.OptionalString("String") is { } literal)
            return new RegexSplit(Compile(Regex.Escape(literal), pattern));
        throw pattern.Error("expected {\"Regex\": ...} or {\"String\": ...}");
    }

    private static Regex Compile(string pattern, ConfigNode where)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            // Oniguruma syntax that .NET lacks (possessive quantifiers such as ?+) ends up here.
            throw where.Error($".NET cannot compile the pre-tokenizer regex: {e.Message}");
        }
    }

    private static void CheckDecoder(ConfigNode? decoder)
    {
        if (decoder is null)
            throw new TokenizerLoadException($"{TokenizerJsonFile.FileName}: decoder: a byte-level BPE needs the ByteLevel decoder, found none");
        string type = decoder.Value.Required("type").GetString();
        List<ConfigNode> steps = type == "Sequence" ? [.. decoder.Value.Required("decoders").Items()] : [decoder.Value];
        if (steps.Count != 1 || steps[0].Required("type").GetString() != "ByteLevel")
            throw decoder.Value.Error($"decoder {Describe(steps)} is not supported for byte-level BPE (only ByteLevel)");
    }

    private static string Describe(List<ConfigNode> steps) =>
        "[" + string.Join(", ", steps.Select(step => step.OptionalString("type") ?? "?")) + "]";
}
