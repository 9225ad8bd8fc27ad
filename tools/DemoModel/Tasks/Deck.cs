using Peft.Tools.DemoModel.Common;

namespace Peft.Tools.DemoModel.Tasks;

/// <summary>Deals items in a shuffled order and reshuffles when empty: every item comes once per round.</summary>
internal sealed class Deck<T>(IReadOnlyList<T> items, SeededRandom random)
{
    private readonly T[] _cards = [.. items];
    private int _next = items.Count;

    public T Next()
    {
        if (_next == _cards.Length)
        {
            random.Shuffle(_cards);
            _next = 0;
        }
        return _cards[_next++];
    }
}
