namespace Peft.Runtime.Engine.Sampling;

/// <summary>Log-probabilities from the model's raw distribution (before penalties, temperature and truncation).</summary>
internal static class Logprobs
{
    public static TokenChoice Of(ReadOnlySpan<float> logits, int chosen, int top)
    {
        float max = float.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        double sum = 0;
        foreach (float l in logits) sum += Math.Exp(l - max);
        float logZ = max + (float)Math.Log(sum);

        var alternatives = new List<(int, float)>(top);
        if (top > 0)
        {
            var heap = new PriorityQueue<int, float>();
            for (int i = 0; i < logits.Length; i++)
            {
                if (heap.Count < top) heap.Enqueue(i, logits[i]);
                else if (logits[i] > logits[heap.Peek()]) heap.DequeueEnqueue(i, logits[i]);
            }
            while (heap.TryDequeue(out int id, out float l)) alternatives.Add((id, l - logZ));
            alternatives.Reverse();
        }
        return new TokenChoice(chosen, logits[chosen] - logZ, alternatives);
    }
}
