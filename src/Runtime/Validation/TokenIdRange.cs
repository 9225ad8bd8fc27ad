namespace Peft.Runtime.Validation;

/// <summary>Token ids a caller sends (prompt ids, stop ids) must name a token: [0, vocabulary size).</summary>
public static class TokenIdRange
{
    /// <summary>The index of the first id outside [0, <paramref name="vocabSize"/>), or null when all are inside.
    /// An index, not a sentinel id: every int, -1 included, is a possible bad id.</summary>
    public static int? FirstOutside(IReadOnlyList<int> ids, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (int i = 0; i < ids.Count; i++)
            if ((uint)ids[i] >= (uint)vocabSize) return i;
        return null;
    }
}
