using System.Diagnostics.CodeAnalysis;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>
/// A Python dict: insertion-ordered, keyed by Python equality (1, 1.0 and True are one key). Templates cannot
/// mutate it (the sandbox hides the mutating methods); only construction code adds entries.
/// </summary>
internal sealed class PyDict
{
    private readonly Dictionary<object, int> _index = new(PyKeyComparer.Instance);
    private readonly List<KeyValuePair<object?, object?>> _entries = [];

    public int Count => _entries.Count;

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    public IEnumerable<object?> Keys => _entries.Select(e => e.Key);

    public IEnumerable<object?> Values => _entries.Select(e => e.Value);

    /// <summary>Adds or replaces; a replaced key keeps its first position, as in Python.</summary>
    public void Set(object? key, object? value)
    {
        var boxed = PyKeyComparer.Box(key);
        if (_index.TryGetValue(boxed, out var position))
        {
            _entries[position] = new(_entries[position].Key, value);
            return;
        }

        _index.Add(boxed, _entries.Count);
        _entries.Add(new(key, value));
    }

    public bool TryGet(object? key, out object? value)
    {
        if (_index.TryGetValue(PyKeyComparer.Box(key), out var position))
        {
            value = _entries[position].Value;
            return true;
        }

        value = null;
        return false;
    }

    public bool ContainsKey(object? key) => _index.ContainsKey(PyKeyComparer.Box(key));

    public PyDict Copy()
    {
        var copy = new PyDict();
        foreach (var (key, value) in _entries)
        {
            copy.Set(key, value);
        }

        return copy;
    }
}

/// <summary>Hashes and compares dict keys by Python equality; unhashable keys (list, dict) are refused.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static PyKeyComparer Instance { get; } = new();

    private static readonly object NoneKey = new();

    public static object Box(object? key) => key switch
    {
        null => NoneKey,
        Markup markup => markup.Value,
        List<object?> or PyDict or Undefined => throw TemplateError.TypeError(
            $"unhashable type: '{Py.TypeName(key)}'"),
        _ => key,
    };

    public new bool Equals(object? x, object? y) =>
        ReferenceEquals(x, y) || (x != NoneKey && y != NoneKey && Py.Equal(x, y));

    public int GetHashCode([DisallowNull] object obj) => obj switch
    {
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        string s => StringComparer.Ordinal.GetHashCode(s),
        PyTuple t => t.Items.Aggregate(17, (h, item) => (h * 31) + (item is null ? 0 : GetHashCode(Box(item)))),
        _ => obj.GetHashCode(),
    };
}
