using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Evaluation;

/// <summary>
/// The <c>loop</c> variable. Items come from a lazy sequence; <c>last</c>, <c>nextitem</c>, <c>revindex</c> and
/// <c>length</c> look ahead (and <c>length</c> reads the rest), as jinja2's LoopContext does.
/// </summary>
internal sealed class LoopContext(IEnumerable<object?> items) : IHasAttributes
{
    private readonly IEnumerator<object?> _items = items.GetEnumerator();
    private readonly Queue<object?> _ahead = new();
    private bool _exhausted;
    private bool _hasPrevious;
    private object? _previous;
    private object? _lastChanged = Unset;
    private static readonly object Unset = new();

    public long Index0 { get; private set; } = -1;

    public object? Current { get; private set; }

    public bool MoveNext()
    {
        if (Index0 >= 0)
        {
            _hasPrevious = true;
            _previous = Current;
        }

        if (!TryTake(out var item))
        {
            return false;
        }

        Current = item;
        Index0++;
        return true;
    }

    private bool TryTake(out object? item)
    {
        if (_ahead.Count > 0)
        {
            item = _ahead.Dequeue();
            return true;
        }

        return TryRead(out item);
    }

    private bool TryRead(out object? item)
    {
        if (!_exhausted && _items.MoveNext())
        {
            item = _items.Current;
            return true;
        }

        _exhausted = true;
        item = null;
        return false;
    }

    private bool PeekNext(out object? item)
    {
        if (_ahead.Count > 0)
        {
            item = _ahead.Peek();
            return true;
        }

        if (TryRead(out item))
        {
            _ahead.Enqueue(item);
            return true;
        }

        return false;
    }

    private long Length
    {
        get
        {
            while (TryRead(out var item))
            {
                _ahead.Enqueue(item);
            }

            return Index0 + 1 + _ahead.Count;
        }
    }

    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "index0" => Index0,
            "index" => Index0 + 1,
            "first" => Index0 == 0,
            "last" => !PeekNext(out _),
            "length" => Length,
            "revindex" => Length - Index0,
            "revindex0" => Length - Index0 - 1,
            "previtem" => _hasPrevious ? _previous : Undefined.WithMessage("there is no previous item"),
            "nextitem" => PeekNext(out var next) ? next : Undefined.WithMessage("there is no next item"),
            "depth" => 1L,
            "depth0" => 0L,
            "cycle" => new BuiltinFunction("cycle", Cycle),
            "changed" => new BuiltinFunction("changed", Changed),
            _ => Unset,
        };

        return value != Unset;
    }

    private object? Cycle(CallArguments arguments)
    {
        var options = arguments.PositionalOnly("cycle", int.MaxValue);
        return options.Count == 0
            ? throw TemplateError.TypeError("no items for cycling given")
            : options[(int)(Index0 % options.Count)];
    }

    private object? Changed(CallArguments arguments)
    {
        var value = new PyTuple([.. arguments.PositionalOnly("changed", int.MaxValue)]);
        if (_lastChanged is PyTuple last && Py.Equal(last, value))
        {
            return false;
        }

        _lastChanged = value;
        return true;
    }

    public override string ToString() => $"<LoopContext {Index0 + 1}/{Length}>";
}
