import ArgumentParser

/// Renders the bundled atlas's illustrations, single images, and generated JSON Lines atlases.
struct RenderAtlas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-atlas",
        abstract: "Render procedural H&E illustrations: the bundled atlas, one image, or a generated dataset.",
        subcommands: [AtlasImages.self, OneImage.self, Dataset.self, ContactSheet.self],
        defaultSubcommand: AtlasImages.self)
}

RenderAtlas.main()
