namespace Peft.Runtime.Tokenization;

/// <summary>
/// Added tokens gathered from several files. The same token may be declared in more than one (tokenizer.json
/// and tokenizer_config.json both list Llama 3's specials); an id or a content that two files disagree on is an
/// error, since either choice would silently encode some text differently from the reference tokenizer.
/// </summary>
internal sealed class AddedTokenSet
{
    private readonly Dictionary<int, (AddedToken Token, string Source)> _byId = [];
    private readonly Dictionary<string, int> _idByContent = new(StringComparer.Ordinal);

    public IEnumerable<AddedToken> Tokens => _byId.Values.Select(entry => entry.Token);

    public void AddRange(IEnumerable<AddedToken> tokens, string source)
    {
        foreach (AddedToken token in tokens)
        {
            if (_byId.TryGetValue(token.Id, out var existing))
            {
                if (existing.Token.Content != token.Content)
                    throw new TokenizerLoadException(
                        $"token id {token.Id} is '{existing.Token.Content}' in {existing.Source} but '{token.Content}' in {source}");
                // A later file may mark a known token special (transformers' added_tokens_decoder does that).
                if (token.Special && !existing.Token.Special)
                    _byId[token.Id] = (existing.Token with { Special = true }, existing.Source);
                continue;
            }
            if (_idByContent.TryGetValue(token.Content, out int otherId))
                throw new TokenizerLoadException(
                    $"token '{token.Content}' has id {otherId} in {_byId[otherId].Source} but id {token.Id} in {source}");
            _byId[token.Id] = (token, source);
            _idByContent[token.Content] = token.Id;
        }
    }
}
