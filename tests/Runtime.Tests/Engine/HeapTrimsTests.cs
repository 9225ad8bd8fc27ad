using Microsoft.Extensions.Time.Testing;
using Peft.Runtime.Engine;

namespace Peft.Runtime.Tests.Engine;

public sealed class HeapTrimsTests
{
    [Fact]
    public void A_busy_engine_trims_once_per_interval_and_an_idle_one_after_any_step()
    {
        var time = new FakeTimeProvider();
        int trims = 0;
        var heap = new HeapTrims(time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), growth: 0, () => 100, () => trims++);

        Assert.Null(heap.QuietSpell);
        heap.AfterQuietSpell();
        Assert.Equal(0, trims);   // nothing ran: nothing was freed

        for (int i = 0; i < 9; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            heap.AfterStep();
        }
        Assert.Equal(0, trims);   // 0.9 s of steps
        time.Advance(TimeSpan.FromMilliseconds(100));
        heap.AfterStep();
        Assert.Equal(1, trims);   // the interval is up
        Assert.Null(heap.QuietSpell);

        heap.AfterQuietSpell();
        Assert.Equal(1, trims);   // no step since that trim
        time.Advance(TimeSpan.FromMilliseconds(100));
        heap.AfterStep();
        Assert.Equal(TimeSpan.FromSeconds(1), heap.QuietSpell);   // the engine waits that long for work before it trims
        heap.AfterQuietSpell();
        Assert.Equal(2, trims);   // a step ran, then the engine went idle
        Assert.Null(heap.QuietSpell);
        Assert.Equal(2, heap.Count);
    }

    [Fact]
    public void A_zero_interval_trims_only_when_idle()
    {
        var time = new FakeTimeProvider();
        int trims = 0;
        var heap = new HeapTrims(time, TimeSpan.Zero, TimeSpan.FromSeconds(1), growth: 0, () => 100, () => trims++);
        for (int i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            heap.AfterStep();
        }
        Assert.Equal(0, trims);
        heap.AfterQuietSpell();
        Assert.Equal(1, trims);
    }

    [Fact]
    public void Only_growth_since_the_last_trim_makes_a_trim_worth_its_page_faults()
    {
        var time = new FakeTimeProvider();
        int trims = 0;
        long resident = 1_000;
        var heap = new HeapTrims(time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), growth: 500, () => resident, () => { trims++; resident -= 300; });

        resident = 1_400;   // a prompt's activations, freed and taken back by the next step
        time.Advance(TimeSpan.FromSeconds(1));
        heap.AfterStep();
        Assert.Equal(0, trims);
        heap.AfterQuietSpell();
        Assert.Equal(0, trims);
        Assert.Null(heap.QuietSpell);   // checked once after going idle: no waking again for nothing

        resident = 1_600;   // a wave of prefills left a heap 600 above the floor
        time.Advance(TimeSpan.FromMilliseconds(500));
        heap.AfterStep();
        Assert.Equal(0, trims);   // the interval counts from the last check
        time.Advance(TimeSpan.FromMilliseconds(500));
        heap.AfterStep();
        Assert.Equal(1, trims);   // the floor is now 1,300
        resident = 1_700;
        time.Advance(TimeSpan.FromSeconds(1));
        heap.AfterStep();
        Assert.Equal(1, trims);
        resident = 1_800;
        heap.AfterQuietSpell();
        Assert.Equal(2, trims);
    }

    [Fact]
    public void An_unknown_resident_size_trims_as_if_it_grew()
    {
        var time = new FakeTimeProvider();
        int trims = 0;
        var heap = new HeapTrims(time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), growth: 64L << 20, () => null, () => trims++);
        heap.AfterStep();
        heap.AfterQuietSpell();
        Assert.Equal(1, trims);
    }

    [Fact]
    public void A_negative_interval_or_idle_delay_is_refused()
    {
        Assert.Equal("HeapTrimInterval must not be negative", new EngineOptions { HeapTrimInterval = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Equal("HeapTrimIdleDelay must be between 0 and 1 day", new EngineOptions { HeapTrimIdleDelay = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Equal("HeapTrimIdleDelay must be between 0 and 1 day", new EngineOptions { HeapTrimIdleDelay = TimeSpan.FromDays(2) }.Validate());
        Assert.Equal("HeapTrimGrowthBytes must not be negative", new EngineOptions { HeapTrimGrowthBytes = -1 }.Validate());
        Assert.Null(new EngineOptions { HeapTrimIdleDelay = TimeSpan.Zero, HeapTrimGrowthBytes = 0 }.Validate());
    }
}
