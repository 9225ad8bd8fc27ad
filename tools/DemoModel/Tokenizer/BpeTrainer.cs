namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// Trains byte-level BPE the way Hugging Face's <c>BpeTrainer</c> does: ids are special tokens first, then the 256 byte
/// symbols in code-point order, then one new token per merge; each step merges the most frequent adjacent pair within
/// pre-tokens (ties: the smaller (left id, right id)), until the vocabulary is full or no pair is frequent enough.
/// </summary>
/// <remarks>
/// Cost: each merge touches only the distinct pre-tokens that contain its pair (an index from pair to words), and
/// recounts only those words' pairs. A max-heap of pair counts is updated lazily: counts only fall, except for pairs
/// containing the new token, which are pushed fresh; a popped entry whose count is stale is pushed back with the
/// current count. This is the algorithm of Hugging Face's trainer.
/// </remarks>
internal static class BpeTrainer
{
    public static BpeModel Train(IReadOnlyDictionary<string, long> preTokenCounts, BpeTrainerOptions options)
    {
        options.Validate();
        var tokens = new List<string>(options.VocabSize);
        tokens.AddRange(options.SpecialTokens.Select(s => s.Content));
        var byteIds = new int[256];
        foreach (char symbol in ByteLevelAlphabet.SymbolsInCodePointOrder)
        {
            ByteLevelAlphabet.TryToByte(symbol, out byte b);
            byteIds[b] = tokens.Count;
            tokens.Add(symbol.ToString());
        }

        var state = new MergeState(SplitIntoBytes(preTokenCounts, byteIds));
        var merges = new List<(string, string)>(options.VocabSize - tokens.Count);
        while (tokens.Count < options.VocabSize && state.TryPopBest(options.MinFrequency, out long pair))
        {
            int left = (int)(pair >> 32), right = (int)pair;
            var merge = new BpeMerge(left, right, tokens.Count);
            tokens.Add(tokens[left] + tokens[right]);
            merges.Add((tokens[left], tokens[right]));
            state.Apply(merge);
        }
        return new BpeModel(tokens, options.SpecialTokens, merges);
    }

    private static List<Word> SplitIntoBytes(IReadOnlyDictionary<string, long> preTokenCounts, int[] byteIds)
    {
        // Word order does not matter: pair counts are sums, and ties are broken by ids, never by position.
        var words = new List<Word>(preTokenCounts.Count);
        foreach (var (text, count) in preTokenCounts)
        {
            byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(text);
            var symbols = new int[utf8.Length];
            for (int i = 0; i < utf8.Length; i++) symbols[i] = byteIds[utf8[i]];
            words.Add(new Word(symbols, count));
        }
        return words;
    }

    /// <summary>A distinct pre-token as its current symbols, and how often it occurs.</summary>
    private sealed class Word(int[] symbols, long count)
    {
        public int[] Symbols { get; } = symbols;
        public int Length { get; set; } = symbols.Length;
        public long Count { get; } = count;
    }

    /// <summary>Pair counts over all words, the pair → words index and the lazy max-heap.</summary>
    private sealed class MergeState
    {
        private readonly List<Word> _words;
        private readonly Dictionary<long, long> _pairCounts = [];
        private readonly Dictionary<long, HashSet<int>> _wordsWithPair = [];
        private readonly PriorityQueue<long, (long Count, long Pair)> _queue = new(MostFrequentFirst.Instance);

        public MergeState(List<Word> words)
        {
            _words = words;
            for (int w = 0; w < words.Count; w++) AddPairs(w, +1);
            foreach (var (pair, count) in _pairCounts) _queue.Enqueue(pair, (count, pair));
        }

        public bool TryPopBest(long minFrequency, out long pair)
        {
            while (_queue.TryDequeue(out pair, out var queued))
            {
                long current = _pairCounts.GetValueOrDefault(pair);
                if (current == queued.Count) return current >= minFrequency;
                if (current > 0) _queue.Enqueue(pair, (current, pair)); // stale: counts fell since it was queued
            }
            return false;
        }

        public void Apply(BpeMerge merge)
        {
            long key = BpeMerge.Key(merge.Left, merge.Right);
            var touched = new HashSet<long>();
            foreach (int w in _wordsWithPair[key])
            {
                var word = _words[w];
                if (!Contains(word, merge)) continue;
                AddPairs(w, -1);
                word.Length = BpeModel.MergeAll(word.Symbols, word.Length, merge);
                AddPairs(w, +1, touched, merge.Result);
            }
            _wordsWithPair.Remove(key);
            _pairCounts.Remove(key);
            foreach (long pair in touched)
            {
                long count = _pairCounts.GetValueOrDefault(pair);
                if (count > 0) _queue.Enqueue(pair, (count, pair));
            }
        }

        private static bool Contains(Word word, BpeMerge merge)
        {
            for (int i = 0; i + 1 < word.Length; i++)
            {
                if (word.Symbols[i] == merge.Left && word.Symbols[i + 1] == merge.Right) return true;
            }
            return false;
        }

        /// <summary>Adds (sign +1) or removes (-1) the word's adjacent pairs; pairs with <paramref name="newId"/> are noted.</summary>
        private void AddPairs(int w, int sign, HashSet<long>? touched = null, int newId = -1)
        {
            var word = _words[w];
            for (int i = 0; i + 1 < word.Length; i++)
            {
                long pair = BpeMerge.Key(word.Symbols[i], word.Symbols[i + 1]);
                long count = _pairCounts.GetValueOrDefault(pair) + sign * word.Count;
                if (count == 0) _pairCounts.Remove(pair);
                else _pairCounts[pair] = count;
                if (sign > 0)
                {
                    if (!_wordsWithPair.TryGetValue(pair, out var set)) _wordsWithPair[pair] = set = [];
                    set.Add(w);
                    if (word.Symbols[i] == newId || word.Symbols[i + 1] == newId) touched?.Add(pair);
                }
            }
        }
    }

    /// <summary>Higher count first; on equal counts the smaller pair, i.e. the smaller left id, then the smaller right id.</summary>
    private sealed class MostFrequentFirst : IComparer<(long Count, long Pair)>
    {
        public static readonly MostFrequentFirst Instance = new();

        public int Compare((long Count, long Pair) x, (long Count, long Pair) y) =>
            x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Pair.CompareTo(y.Pair);
    }
}
