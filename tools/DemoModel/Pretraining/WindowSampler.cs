using Peft.Tools.DemoModel.Common;

namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>
/// Which windows each step trains on: the training windows in a seeded shuffled order, each once per epoch, so a
/// short run sees the whole variety of the corpus rather than its beginning. The last <see cref="HeldOut"/> windows
/// of the stream are never trained on and measure the loss on unseen text.
/// </summary>
internal sealed class WindowSampler
{
    private readonly SeededRandom _random;
    private readonly int[] _order;
    private int _next;

    public WindowSampler(int windowCount, int heldOut, ulong seed)
    {
        if (heldOut < 1 || heldOut >= windowCount)
            throw new ArgumentException($"{windowCount} windows cannot hold out {heldOut}: the corpus is too small for this --context.");
        _random = new SeededRandom(seed);
        _order = [.. Enumerable.Range(0, windowCount - heldOut)];
        HeldOut = [.. Enumerable.Range(windowCount - heldOut, heldOut)];
        _next = _order.Length;
    }

    public IReadOnlyList<int> HeldOut { get; }

    public int TrainingWindows => _order.Length;

    /// <summary>The current pass over the training windows, 0-based (-1 before the first draw).</summary>
    public int Epoch { get; private set; } = -1;

    public int[] Next(int count)
    {
        var windows = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (_next == _order.Length)
            {
                _random.Shuffle(_order);
                _next = 0;
                Epoch++;
            }
            windows[i] = _order[_next++];
        }
        return windows;
    }
}
