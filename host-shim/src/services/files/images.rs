//! Thumbnails and previews of uploaded images with the `image` crate.
//!
//! Decoding is bounded: the header is read first and images above the
//! pixel limit are not decoded at all; the decoder also gets width,
//! height and allocation limits, so a small file claiming huge dimensions
//! (a decompression bomb) fails fast instead of exhausting memory.

use std::io::Cursor;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageReader, Limits, Rgb, RgbImage};

/// Thumbnails fit in 120×100 (Mattermost's size).
pub const THUMBNAIL_WIDTH: u32 = 120;
pub const THUMBNAIL_HEIGHT: u32 = 100;
/// Previews are at most this wide (Mattermost's 1920).
pub const PREVIEW_MAX_WIDTH: u32 = 1920;
/// Most bytes a decode may allocate.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// An image's size and its JPEG thumbnail and preview.
pub struct Rendered {
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub preview: Vec<u8>,
}

fn limits(max_pixels: u64) -> Limits {
    let side = u32::try_from(max_pixels).unwrap_or(u32::MAX);
    let mut limits = Limits::default();
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// Renders the image at `path`; `None` when it is not a decodable image of
/// at most `max_pixels` pixels (it is then stored as a plain file).
pub fn render(path: &Path, max_pixels: u64) -> Option<Rendered> {
    let reader = |path: &Path| {
        let mut reader = ImageReader::open(path).ok()?.with_guessed_format().ok()?;
        reader.limits(limits(max_pixels));
        Some(reader)
    };
    let (width, height) = reader(path)?.into_dimensions().ok()?;
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > max_pixels {
        return None;
    }
    let image = reader(path)?.decode().ok()?;
    let image = flatten(image);
    let thumbnail = image.thumbnail(THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT);
    let preview = if width > PREVIEW_MAX_WIDTH {
        let h = (u64::from(height) * u64::from(PREVIEW_MAX_WIDTH) / u64::from(width)).max(1);
        image.thumbnail(PREVIEW_MAX_WIDTH, u32::try_from(h).unwrap_or(u32::MAX))
    } else {
        image
    };
    Some(Rendered {
        width,
        height,
        thumbnail: jpeg(&thumbnail)?,
        preview: jpeg(&preview)?,
    })
}

/// RGB on a white background (JPEG has no transparency).
fn flatten(image: DynamicImage) -> DynamicImage {
    if !image.color().has_alpha() {
        return DynamicImage::ImageRgb8(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(px[3]);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
        *out = Rgb([blend(px[0]), blend(px[1]), blend(px[2])]);
    }
    DynamicImage::ImageRgb8(rgb)
}

fn jpeg(image: &DynamicImage) -> Option<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use image::{ImageFormat, RgbaImage};

    use super::*;

    fn write_png(dir: &Path, w: u32, h: u32) -> std::path::PathBuf {
        let path = dir.join("img.png");
        RgbaImage::from_pixel(w, h, image::Rgba([200, 10, 10, 128]))
            .save_with_format(&path, ImageFormat::Png)
            .unwrap();
        path
    }

    #[test]
    fn thumbnail_and_preview_fit_their_boxes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_png(dir.path(), 2400, 600);
        let r = render(&path, 33_177_600).unwrap();
        assert_eq!((r.width, r.height), (2400, 600));
        let thumb = image::load_from_memory(&r.thumbnail).unwrap();
        assert!(thumb.width() <= THUMBNAIL_WIDTH && thumb.height() <= THUMBNAIL_HEIGHT);
        assert_eq!(thumb.width(), THUMBNAIL_WIDTH);
        let preview = image::load_from_memory(&r.preview).unwrap();
        assert_eq!(preview.width(), PREVIEW_MAX_WIDTH);
        assert_eq!(preview.height(), 480);
        // Half-transparent red on white.
        let px = preview.to_rgb8().get_pixel(10, 10).0;
        assert!(px[0] > 200 && px[1] > 100, "{px:?}");
    }

    #[test]
    fn too_many_pixels_or_not_an_image_gives_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_png(dir.path(), 100, 100);
        assert!(render(&path, 9_999).is_none());
        let text = dir.path().join("x.png");
        std::fs::write(&text, b"<html>not an image</html>").unwrap();
        assert!(render(&text, 33_177_600).is_none());
    }
}
