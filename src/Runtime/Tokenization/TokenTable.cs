namespace Peft.Runtime.Tokenization;

/// <summary>
/// What every token id decodes to, as raw bytes, and whether it is special. Decoding is then the same for every
/// tokenizer family: concatenate the bytes, read them as UTF-8. Because a token's bytes never depend on its
/// neighbours, streaming decode needs no look-back window (see <see cref="IncrementalDetokenizer"/>).
/// Ids without a token (gaps, or ids past the end that a model with a padded embedding can produce) are absent.
/// </summary>
internal sealed class TokenTable
{
    private readonly byte[] _bytes;   // every token's bytes, back to back
    private readonly int[] _starts;   // [Count + 1]: token i is _bytes[_starts[i] .. _starts[i + 1]]
    private readonly bool[] _present; // [Count]
    private readonly bool[] _special; // [Count]

    private TokenTable(byte[] bytes, int[] starts, bool[] present, bool[] special)
    {
        _bytes = bytes;
        _starts = starts;
        _present = present;
        _special = special;
    }

    /// <summary>One more than the largest id that has a token.</summary>
    public int Count => _present.Length;

    public bool Contains(int id) => (uint)id < (uint)_present.Length && _present[id];

    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    /// <summary>The token's bytes, or an empty span for an id without a token.</summary>
    public ReadOnlySpan<byte> BytesOf(int id) =>
        Contains(id) ? _bytes.AsSpan(_starts[id], _starts[id + 1] - _starts[id]) : default;

    public sealed class Builder
    {
        private readonly Dictionary<int, byte[]> _bytes = [];
        private readonly HashSet<int> _special = [];

        /// <summary>Sets the id's bytes; a later call for the same id wins (added tokens override the vocabulary).</summary>
        public void Set(int id, byte[] bytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            _bytes[id] = bytes;
        }

        public void MarkSpecial(int id) => _special.Add(id);

        public TokenTable Build()
        {
            int count = _bytes.Count == 0 ? 0 : _bytes.Keys.Max() + 1;
            var starts = new int[count + 1];
            var present = new bool[count];
            var special = new bool[count];
            int total = 0;
            for (int id = 0; id < count; id++)
            {
                starts[id] = total;
                if (_bytes.TryGetValue(id, out byte[]? bytes))
                {
                    present[id] = true;
                    special[id] = _special.Contains(id);
                    total += bytes.Length;
                }
            }
            starts[count] = total;
            var packed = new byte[total];
            foreach ((int id, byte[] bytes) in _bytes)
                bytes.CopyTo(packed, starts[id]);
            return new TokenTable(packed, starts, present, special);
        }
    }
}
