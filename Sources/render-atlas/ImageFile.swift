import ArgumentParser
import Foundation
import Imaging

/// Writes an image in the format its file name asks for (.png, .jpg/.jpeg, or .ppm for debugging).
enum ImageFile {
    static let extensions = ["png", "jpg", "jpeg", "ppm"]

    static func checkExtension(_ path: String) throws {
        guard extensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased()) else {
            throw ValidationError("'\(path)': the file name must end in .png, .jpg or .ppm")
        }
    }

    static func write(_ image: RGBImage, to path: String, jpegQuality: Int = 88) throws {
        let url = URL(fileURLWithPath: path)
        let data: Data
        switch url.pathExtension.lowercased() {
        case "png": data = try ImageCodec.encodePNG(image)
        case "jpg", "jpeg": data = try ImageCodec.encodeJPEG(image, quality: jpegQuality)
        case "ppm": data = Data("P6\n\(image.width) \(image.height)\n255\n".utf8) + Data(image.pixels)
        default:
            throw ImageError(.unsupportedFormat, "writing '\(path)': unknown image extension (use .png, .jpg or .ppm)")
        }
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try data.write(to: url)
        } catch {
            throw ImageError(.io, "writing '\(path)': \(error.localizedDescription)")
        }
    }
}
