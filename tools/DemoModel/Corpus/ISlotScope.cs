using Peft.Tools.DemoModel.Common;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>What a <see cref="Template"/> needs while it expands: the values of its slots and a source of choices.</summary>
internal interface ISlotScope
{
    SeededRandom Random { get; }

    /// <summary>
    /// The text for <c>{name}</c> or <c>{name.form}</c>, lower-case names and forms. Throws for a name or form the scope
    /// does not know, so that a typo in the grammar fails the first expansion instead of printing braces.
    /// </summary>
    string Resolve(string name, string form);
}
