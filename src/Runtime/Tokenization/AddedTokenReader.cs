namespace Peft.Runtime.Tokenization;

/// <summary>
/// Reads one added-token object, the shape shared by tokenizer.json's <c>added_tokens</c> and
/// tokenizer_config.json's <c>added_tokens_decoder</c>.
/// </summary>
internal static class AddedTokenReader
{
    public static AddedToken Read(ConfigNode entry, int id)
    {
        if (id < 0)
            throw entry.Error($"token id {id} is negative");
        string content = entry.Required("content").GetString();
        if (content.Length == 0)
            throw entry.Error("content is empty");
        // single_word restricts matches to word boundaries; matching without that rule would encode differently.
        if (entry.OptionalBoolean("single_word") == true)
            throw entry.Error($"single_word added tokens are not supported ('{content}')");
        // "normalized" is not read: every added token is matched on the raw text, before any normalizer.
        return new AddedToken(
            id,
            content,
            Special: entry.OptionalBoolean("special") ?? false,
            LStrip: entry.OptionalBoolean("lstrip") ?? false,
            RStrip: entry.OptionalBoolean("rstrip") ?? false);
    }
}
