import Illustration
import Imaging
import Testing

/// The procedural H&E renderer: deterministic, sized as asked, styled like stains, and with
/// morphologies that differ the way a pathologist would see.
@Suite struct IllustrationTests {
    let renderer = HistologyRenderer()

    /// Mean R, G, B over the image.
    func meanColour(_ image: RGBImage) -> SIMD3<Double> {
        var sum = SIMD3<Double>(0, 0, 0)
        for i in stride(from: 0, to: image.pixels.count, by: 3) {
            sum += SIMD3(Double(image.pixels[i]), Double(image.pixels[i + 1]), Double(image.pixels[i + 2]))
        }
        return sum / Double(image.width * image.height)
    }

    /// Fraction of pixels dark and blue-purple enough to be a haematoxylin-stained nucleus.
    func nuclearFraction(_ image: RGBImage) -> Double {
        var count = 0
        for i in stride(from: 0, to: image.pixels.count, by: 3) {
            let r = Int(image.pixels[i]), g = Int(image.pixels[i + 1]), b = Int(image.pixels[i + 2])
            if r + g + b < 420 && b > r { count += 1 }
        }
        return Double(count) / Double(image.width * image.height)
    }

    @Test func sameSeedGivesIdenticalPixels() {
        for morphology in Morphology.allCases {
            let a = renderer.render(morphology, style: .standard, size: 64, seed: 42)
            let b = renderer.render(morphology, style: .standard, size: 64, seed: 42)
            #expect(a == b, "\(morphology.rawValue) is not deterministic")
        }
    }

    @Test func differentSeedsGiveDifferentImages() {
        for morphology in Morphology.allCases {
            let a = renderer.render(morphology, style: .standard, size: 64, seed: 1)
            let b = renderer.render(morphology, style: .standard, size: 64, seed: 2)
            #expect(a.pixels != b.pixels, "\(morphology.rawValue) ignores its seed")
        }
    }

    @Test func everyMorphologyRendersAtTheRequestedSize() {
        for morphology in Morphology.allCases {
            let square = renderer.render(morphology, style: .pinkLight, size: 48, seed: 3)
            #expect(square.width == 48 && square.height == 48 && square.pixels.count == 48 * 48 * 3)
            let wide = renderer.render(morphology, style: .blueDark, width: 80, height: 56, seed: 3)
            #expect(wide.width == 80 && wide.height == 56 && wide.pixels.count == 80 * 56 * 3)
        }
    }

    @Test func morphologyIdsAreTheAtlasEntryIds() {
        #expect(Morphology.allCases.count == 24)
        #expect(Morphology(rawValue: "colon-tubular-adenoma") == .colonTubularAdenoma)
        #expect(Morphology(rawValue: "tissue-background") == .background)
        for morphology in Morphology.allCases {
            #expect(morphology.features.count > 20)
            #expect(!morphology.diagnosis.isEmpty)
        }
    }

    @Test func stainStylesChangeColourButNotLayout() {
        let pink = renderer.render(.colonNormal, style: .pinkLight, size: 96, seed: 9)
        let blue = renderer.render(.colonNormal, style: .blueDark, size: 96, seed: 9)
        let orange = renderer.render(.colonNormal, style: .orangeStrong, size: 96, seed: 9)
        let (p, b, o) = (meanColour(pink), meanColour(blue), meanColour(orange))
        // The blue-dark slide is darker and bluer relative to red than the pink-light one.
        #expect(b.x + b.y + b.z < p.x + p.y + p.z)
        #expect(b.z / b.x > p.z / p.x)
        // Strong orange eosin absorbs blue: its blue channel falls below its red one.
        #expect(o.z < o.x)
        // Same layout: lumens (the brightest pixels) are in the same places in both styles.
        var sameBright = 0, bright = 0
        for i in stride(from: 0, to: pink.pixels.count, by: 3) where pink.pixels[i + 1] > 235 {
            bright += 1
            if blue.pixels[i + 1] > 205 { sameBright += 1 }
        }
        #expect(bright > 0 && Double(sameBright) / Double(bright) > 0.9)
    }

    @Test func glassStaysLightInEveryStyle() {
        var styles = StainStyle.presets
        styles += (0..<5).map { StainStyle.random(seed: UInt64($0)) }
        for style in styles {
            let glass = meanColour(renderer.render(.background, style: style, size: 64, seed: 5))
            #expect(min(glass.x, glass.y, glass.z) > 205, "glass too dark in \(style.name): \(glass)")
            let fat = meanColour(renderer.render(.adipose, style: style, size: 96, seed: 5))
            #expect(min(fat.x, fat.y, fat.z) > 180, "fat too dark in \(style.name): \(fat)")
            let blood = meanColour(renderer.render(.blood, style: style, size: 64, seed: 5))
            #expect(blood.x + blood.y + blood.z < glass.x + glass.y + glass.z - 150, "blood not dense in \(style.name)")
        }
    }

    @Test func morphologiesDifferAsAPathologistWouldSee() {
        func nuclei(_ m: Morphology) -> Double {
            (1...3).map { nuclearFraction(renderer.render(m, style: .standard, size: 128, seed: UInt64($0))) }
                .reduce(0, +) / 3
        }
        // Lymphocyte sheets are far more cellular than collagen, fat or mucin.
        #expect(nuclei(.lymphNodeReactive) > 4 * nuclei(.fibrousStroma))
        #expect(nuclei(.lymphoidAggregate) > 4 * nuclei(.adipose))
        #expect(nuclei(.lymphNodeReactive) > 4 * nuclei(.mucin))
        // Crowded adenoma nuclei outnumber those of normal crypts.
        #expect(nuclei(.colonTubularAdenoma) > 1.3 * nuclei(.colonNormal))
        // Blood is red: red channel well above blue.
        let blood = meanColour(renderer.render(.blood, style: .standard, size: 96, seed: 1))
        #expect(blood.x > blood.z + 20)
    }

    @Test func namedStylesResolve() throws {
        #expect(StainStyle.named("pink-light") == .pinkLight)
        #expect(StainStyle.named("unseen-1") == StainStyle.unseenStyles[0])
        #expect(StainStyle.named("random-12") == StainStyle.random(seed: 12))
        #expect(StainStyle.named("random-12") != StainStyle.random(seed: 13))
        #expect(StainStyle.named("no-such-style") == nil)
        #expect(StainStyle.named("unseen-99") == nil)
        for unseen in StainStyle.unseenStyles {
            #expect(!StainStyle.atlasStyles.contains(unseen))
        }
    }

    @Test func stainsStaySeparableInEveryStyle() {
        // Colour deconvolution needs distinct stain directions; real H&E keeps them 20–30° apart.
        let styles = StainStyle.presets + (0..<200).map { StainStyle.random(seed: UInt64($0)) }
        for style in styles {
            #expect(StainStyle.angleDegrees(style.haematoxylin, style.eosin) >= 18, "\(style.name)")
        }
        let randoms = Set((0..<50).map { StainStyle.random(seed: UInt64($0)).haematoxylin })
        #expect(randoms.count == 50)
    }

    @Test func renderingABenchmarkBatchCompletes() {
        // Sanity, not timing: a batch at benchmark size renders every morphology with tissue in it.
        for (n, morphology) in Morphology.allCases.enumerated() where morphology != .background {
            let image = renderer.render(morphology, style: .random(seed: UInt64(n)), size: 224, seed: UInt64(n))
            let mean = meanColour(image)
            #expect(mean.x + mean.y + mean.z < 3 * 235, "\(morphology.rawValue) rendered no tissue")
        }
    }
}
