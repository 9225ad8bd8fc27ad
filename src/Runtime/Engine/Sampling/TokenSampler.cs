using System.Numerics;
using System.Runtime.InteropServices;

namespace Peft.Runtime.Engine.Sampling;

/// <summary>
/// Picks the next token of one sequence from its raw logits, on the CPU, with its own seeded generator so a seed
/// reproduces an output regardless of what else is batched with it. Keeps the token counts the penalties need.
/// Engine-thread only.
/// </summary>
public sealed class TokenSampler
{
    private readonly SamplingParams _params;
    private readonly Random _random;
    private readonly HashSet<int> _promptTokens;
    private readonly Dictionary<int, int> _outputCounts = [];
    private float[] _scratch = [];

    public TokenSampler(SamplingParams parameters, IReadOnlyList<int> promptTokens)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _params = parameters;
        _random = parameters.Seed is { } seed ? new Random(unchecked((int)seed ^ (int)(seed >> 32))) : new Random();
        _promptTokens = parameters.RepetitionPenalty != 1f ? [.. promptTokens] : [];
    }

    /// <summary>Records a token produced for this sequence (the penalties count output tokens).</summary>
    public void Accept(int tokenId)
    {
        _outputCounts[tokenId] = _outputCounts.GetValueOrDefault(tokenId) + 1;
    }

    /// <param name="logits">The model's raw logits for this sequence's next position.</param>
    public TokenChoice Sample(ReadOnlySpan<float> logits)
    {
        // Greedy without penalties reads the logits as they are: no copy of a vocabulary's worth per row and step.
        if (_params.IsPlainGreedy)
        {
            int best = ArgMax(logits);
            return _params.TopLogprobs is { } k ? Logprobs.Of(logits, best, k) : new TokenChoice(best, float.NaN, null);
        }
        if (_scratch.Length != logits.Length) _scratch = new float[logits.Length];
        var scores = _scratch.AsSpan();
        logits.CopyTo(scores);
        ApplyPenalties(scores);

        int token = _params.IsGreedy ? ArgMax(scores) : Draw(scores);
        if (_params.TopLogprobs is not { } top) return new TokenChoice(token, float.NaN, null);
        return Logprobs.Of(logits, token, top);
    }

    private void ApplyPenalties(Span<float> scores)
    {
        float repetition = _params.RepetitionPenalty;
        if (repetition != 1f)
        {
            // Hugging Face's rule: shrink positive logits, push negative ones further down.
            foreach (int id in _promptTokens.Concat(_outputCounts.Keys).Distinct())
                scores[id] = scores[id] > 0 ? scores[id] / repetition : scores[id] * repetition;
        }
        if (_params.PresencePenalty != 0f || _params.FrequencyPenalty != 0f)
        {
            foreach (var (id, count) in _outputCounts)
                scores[id] -= _params.PresencePenalty + _params.FrequencyPenalty * count;
        }
    }

    private int Draw(Span<float> scores)
    {
        float inverse = 1f / _params.Temperature;
        for (int i = 0; i < scores.Length; i++) scores[i] *= inverse;
        var candidates = Candidates.Select(scores, _params.TopK, _params.TopP, _params.MinP);
        double u = _random.NextDouble() * candidates.TotalMass;
        double cumulative = 0;
        foreach (var (id, p) in candidates.Items)
        {
            cumulative += p;
            if (u < cumulative) return id;
        }
        return candidates.Items[^1].TokenId;
    }

    /// <summary>The first index of the largest value (ties: the lowest index; a NaN is never larger than anything, as
    /// with <c>&gt;</c> in a scan). Vectorised: the maximum in one pass, then its first index.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int width = Vector<float>.Count;
        if (!Vector.IsHardwareAccelerated || values.Length < 2 * width || float.IsNaN(values[0])) return ScanArgMax(values);
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var max = vectors[0];
        var nan = Vector<int>.Zero;
        foreach (var v in vectors)
        {
            nan |= ~Vector.Equals(v, v);
            max = Vector.Max(max, v);
        }
        if (nan != Vector<int>.Zero) return ScanArgMax(values);   // Vector.Max's NaN rule is not the scan's
        float best = max[0];
        for (int i = 1; i < width; i++) best = Math.Max(best, max[i]);
        for (int i = vectors.Length * width; i < values.Length; i++)
            if (values[i] > best) best = values[i];
        var target = new Vector<float>(best);
        for (int k = 0; k < vectors.Length; k++)
        {
            if (!Vector.EqualsAny(vectors[k], target)) continue;
            for (int i = k * width; ; i++)
                if (values[i] == best) return i;
        }
        for (int i = vectors.Length * width; i < values.Length; i++)
            if (values[i] == best) return i;
        return ScanArgMax(values);   // not reached: best is one of the values
    }

    private static int ScanArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
