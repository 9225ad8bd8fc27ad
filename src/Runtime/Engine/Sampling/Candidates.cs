namespace Peft.Runtime.Engine.Sampling;

/// <summary>The tokens left after top-k, top-p and min-p, with unnormalised probabilities, most likely first.</summary>
internal sealed class Candidates
{
    private Candidates(List<(int TokenId, double P)> items, double mass)
    {
        Items = items;
        TotalMass = mass;
    }

    public List<(int TokenId, double P)> Items { get; }

    public double TotalMass { get; }

    /// <summary>
    /// Semantics (scores already divided by the temperature):
    ///   p = exp(score - max);  keep the k largest (k = 0: all);
    ///   walk them in descending order, keeping tokens until the kept mass reaches topP of the remaining mass;
    ///   drop tokens below minP × the largest p. At least one token always remains.
    /// Extraction is from a heap, so only the tokens actually kept are ordered: O(V + kept · log V).
    /// </summary>
    public static Candidates Select(ReadOnlySpan<float> scores, int topK, float topP, float minP)
    {
        // One heap per thread, reused: a fresh one per token would allocate vocabulary-sized arrays every step.
        var heap = Heap ??= new PriorityQueue<int, double>();
        heap.Clear();
        float max = float.NegativeInfinity;
        foreach (float s in scores) max = Math.Max(max, s);

        double mass = 0;
        var probabilities = Probabilities is { } buffer && buffer.Length >= scores.Length ? buffer : (Probabilities = new double[scores.Length]);
        for (int i = 0; i < scores.Length; i++)
        {
            double p = Math.Exp(scores[i] - max);
            probabilities[i] = p;
            mass += p;
        }
        heap.EnqueueRange(Enumerable.Range(0, scores.Length).Select(i => (i, -probabilities[i])));
        int limit = topK > 0 ? Math.Min(topK, scores.Length) : scores.Length;

        if (limit < scores.Length)
        {
            // The top-p threshold is relative to the mass that top-k leaves (Hugging Face renormalises between warpers).
            var topItems = new List<(int, double)>(limit);
            mass = 0;
            for (int i = 0; i < limit; i++)
            {
                heap.TryDequeue(out int id, out double negative);
                topItems.Add((id, -negative));
                mass += -negative;
            }
            heap.Clear();
            heap.EnqueueRange(topItems.Select(e => (e.Item1, -e.Item2)));
        }

        var kept = new List<(int TokenId, double P)>();
        double keptMass = 0, target = topP * mass, floor = 0;
        while (heap.TryDequeue(out int id, out double negative))
        {
            double p = -negative;
            if (kept.Count == 0) floor = minP * p;
            else if (keptMass >= target || p < floor) break;
            kept.Add((id, p));
            keptMass += p;
        }
        return new Candidates(kept, keptMass);
    }

    [ThreadStatic]
    private static PriorityQueue<int, double>? Heap;

    [ThreadStatic]
    private static double[]? Probabilities;
}
