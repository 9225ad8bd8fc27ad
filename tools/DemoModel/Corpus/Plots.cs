namespace Peft.Tools.DemoModel.Corpus;

/// <summary>Every kind of document the corpus holds, and how often each is told.</summary>
internal static class Plots
{
    public static IReadOnlyList<Plot> All { get; } =
    [
        StoryPlots.LostToy, StoryPlots.NewFriend, StoryPlots.RunawayPet, StoryPlots.SharingSnacks, StoryPlots.Trip, StoryPlots.Garden,
        EverydayPlots.EverydaySentences, EverydayPlots.Questions, EverydayPlots.Facts,
    ];
}
