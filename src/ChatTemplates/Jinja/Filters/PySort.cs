using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>
/// Python's <c>sorted(items, key=key, reverse=reverse)</c>: a stable merge sort that compares keys with Python's
/// <c>&lt;</c> only, so mixed types fail with Python's TypeError and equal keys keep their order (also reversed).
/// </summary>
internal static class PySort
{
    public static List<object?> Sorted(IEnumerable<object?> items, Func<object?, object?> key, bool reverse)
    {
        var entries = items.Select(item => (Key: key(item), Item: item)).ToArray();
        var buffer = new (object? Key, object? Item)[entries.Length];
        Sort(entries, buffer, 0, entries.Length, reverse);
        return [.. entries.Select(e => e.Item)];
    }

    private static void Sort((object? Key, object? Item)[] entries, (object? Key, object? Item)[] buffer, int start, int end, bool reverse)
    {
        if (end - start < 2)
        {
            return;
        }

        var middle = (start + end) / 2;
        Sort(entries, buffer, start, middle, reverse);
        Sort(entries, buffer, middle, end, reverse);
        int left = start, right = middle, output = start;
        while (left < middle && right < end)
        {
            var takeRight = reverse
                ? Py.Less(entries[left].Key, entries[right].Key)
                : Py.Less(entries[right].Key, entries[left].Key);
            buffer[output++] = takeRight ? entries[right++] : entries[left++];
        }

        while (left < middle)
        {
            buffer[output++] = entries[left++];
        }

        while (right < end)
        {
            buffer[output++] = entries[right++];
        }

        Array.Copy(buffer, start, entries, start, end - start);
    }
}
