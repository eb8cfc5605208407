//! `ImageTrackList` and `ImageTrack` (https://w3c.github.io/webcodecs/#imagetracklist-interface,
//! https://w3c.github.io/webcodecs/#imagetrack-interface): what an `ImageDecoder` found in
//! its image, shared with the decoder on the JS thread.

use std::cell::RefCell;
use std::ptr;
use std::rc::Rc;

use engine::image::TrackInfo;
use napi::bindgen_prelude::{Function, JavaScriptClassExt};
use napi::sys::{self, napi_value};
use napi::{Env, JsValue};
use napi_derive::napi;

use crate::js::error::Exception;
use crate::js::promise;
use crate::js::raw::{self, check, JsHandle};

/// The track list's state, shared by the list, its tracks and their decoder.
pub struct Tracks {
    env: sys::napi_env,
    /// `[[ready promise]]` and its deferred until settled.
    ready: sys::napi_ref,
    ready_deferred: Option<sys::napi_deferred>,
    /// `[[track list]]`: each track's info and its JS object.
    list: Vec<(TrackInfo, sys::napi_ref)>,
    /// `[[selected index]]`, -1 for none.
    pub selected_index: i32,
    /// The list's JS object (weak: the decoder holds it), for its numeric properties.
    object: sys::napi_ref,
    /// The decoder's reaction to a selection change (`Reset ImageDecoder`).
    pub on_select: Option<OnSelect>,
    /// `[[closed]]` of the decoder: the list is emptied and stays so.
    closed: bool,
    /// The selected index when the decoder closed: "Close ImageDecoder" empties the
    /// list but leaves each track's `[[selected]]`.
    selected_at_close: i32,
}

pub type SharedTracks = Rc<RefCell<Tracks>>;

/// What a decoder does when its track selection changes.
pub type OnSelect = Box<dyn Fn(&Env)>;

impl Tracks {
    /// `[[tracks established]]`.
    pub fn established(&self) -> bool {
        self.ready_deferred.is_none()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The selected track's info.
    pub fn selected(&self) -> Option<TrackInfo> {
        usize::try_from(self.selected_index).ok().and_then(|i| self.list.get(i)).map(|(info, _)| *info)
    }

    /// "Establish Tracks": the image's one track, selected; the ready promise resolves.
    pub fn establish(shared: &SharedTracks, env: &Env, info: TrackInfo) -> napi::Result<()> {
        let object = {
            let tracks = shared.borrow();
            if tracks.closed || !tracks.list.is_empty() {
                return Ok(());
            }
            raw::ref_value(env, tracks.object)?
        };
        let track = ImageTrack { tracks: shared.clone(), index: 0 }.into_instance(env)?.value;
        // Weak: the list object's `0` property holds the track (a strong reference here
        // would be a cycle through the track's own hold on this state).
        let reference = raw::weak_ref(env, track)?;
        let deferred = {
            let mut tracks = shared.borrow_mut();
            tracks.list.push((info, reference));
            tracks.selected_index = 0;
            tracks.ready_deferred.take()
        };
        if let Some(object) = object {
            // `tracks[0]`: napi-rs has no indexed getters, so the element is a property.
            // SAFETY: see `raw`'s module comment.
            unsafe { check(sys::napi_set_element(env.raw(), object, 0, track), "tracks[0]")? };
        }
        if let Some(deferred) = deferred {
            promise::resolve_undefined(env, deferred);
        }
        Ok(())
    }

    /// "Update Tracks": the frame count grew as data arrived (or the loop count appeared).
    pub fn update(&mut self, info: TrackInfo) {
        if let Some((current, _)) = self.list.first_mut() {
            *current = info;
        }
    }

    /// The decoder closed: an unsettled ready promise rejects with `exception`; the list empties.
    pub fn close(&mut self, env: &Env, exception: &mut Exception) {
        self.closed = true;
        self.selected_at_close = self.selected_index;
        if let Some(deferred) = self.ready_deferred.take() {
            promise::reject_with(env, deferred, exception);
        }
        self.selected_index = -1;
        self.on_select = None;
        for (_, reference) in self.list.drain(..) {
            // SAFETY: on the JS thread; each reference is deleted once.
            unsafe { sys::napi_delete_reference(env.raw(), reference) };
        }
        if let Ok(Some(object)) = raw::ref_value(env, self.object) {
            // SAFETY: see `raw`'s module comment.
            unsafe { sys::napi_delete_element(env.raw(), object, 0, ptr::null_mut()) };
        }
    }
}

impl Drop for Tracks {
    fn drop(&mut self) {
        // SAFETY: the state lives on its env's JS thread and is dropped there, by the
        // finalizer of the last object holding it, while the env is alive.
        unsafe {
            sys::napi_delete_reference(self.env, self.ready);
            sys::napi_delete_reference(self.env, self.object);
            for (_, reference) in self.list.drain(..) {
                sys::napi_delete_reference(self.env, reference);
            }
        }
    }
}

/// The tracks of an `ImageDecoder`'s image.
#[napi]
pub struct ImageTrackList {
    tracks: SharedTracks,
}

impl ImageTrackList {
    /// A new empty list with its pending ready promise, and its JS object.
    pub fn create(env: &Env) -> napi::Result<(SharedTracks, napi_value)> {
        let (deferred, ready) = promise::deferred(env)?;
        let mut ready_ref = ptr::null_mut();
        // SAFETY: see `raw`'s module comment; deleted in `Tracks::drop`.
        unsafe { check(sys::napi_create_reference(env.raw(), ready, 1, &mut ready_ref), "ready reference")? };
        mark_handled(env, ready)?;
        let tracks = Rc::new(RefCell::new(Tracks {
            env: env.raw(),
            ready: ready_ref,
            ready_deferred: Some(deferred),
            list: Vec::new(),
            selected_index: -1,
            object: ptr::null_mut(),
            on_select: None,
            closed: false,
            selected_at_close: -1,
        }));
        let object = ImageTrackList { tracks: tracks.clone() }.into_instance(env)?.value;
        // Weak: the list object holds the state, not the other way round.
        tracks.borrow_mut().object = raw::weak_ref(env, object)?;
        Ok((tracks, object))
    }
}

/// A rejected promise nobody awaits must not be an unhandled rejection ("mark as handled").
pub fn mark_handled(env: &Env, promise: napi_value) -> napi::Result<()> {
    let noop: Function<JsHandle, ()> = env.create_function_from_closure("ignore", |_| Ok(()))?;
    raw::call_method(env, promise, c"catch", &[noop.raw()]).map(|_| ())
}

#[napi]
impl ImageTrackList {
    #[napi(constructor, skip_typescript)]
    pub fn new(env: Env) -> napi::Result<Self> {
        Err(crate::js::interface::illegal_constructor::<Self>(&env))
    }

    /// Resolves once the tracks are known.
    #[napi(getter, ts_return_type = "Promise<void>")]
    pub fn ready(&self, env: Env) -> napi::Result<napi_value> {
        raw::ref_value(&env, self.tracks.borrow().ready)?.ok_or_else(|| napi::Error::from_reason("ready is gone"))
    }

    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.tracks.borrow().len() as u32
    }

    /// The index of the selected track, -1 for none.
    #[napi(getter)]
    pub fn selected_index(&self) -> i32 {
        self.tracks.borrow().selected_index
    }

    #[napi(getter, ts_return_type = "ImageTrack | null")]
    pub fn selected_track(&self, env: Env) -> napi::Result<napi_value> {
        let index = self.tracks.borrow().selected_index;
        match u32::try_from(index) {
            Ok(index) => self.item(env, index),
            Err(_) => raw::null(&env),
        }
    }

    /// The track at `index` (also `list[index]`), or undefined.
    #[napi(ts_return_type = "ImageTrack | undefined")]
    pub fn item(&self, env: Env, index: u32) -> napi::Result<napi_value> {
        let reference = self.tracks.borrow().list.get(index as usize).map(|(_, r)| *r);
        match reference {
            Some(reference) => raw::ref_value(&env, reference)?.map_or_else(|| raw::undefined(&env), Ok),
            None => raw::undefined(&env),
        }
    }
}

/// One track of an image: a still image or an animation.
#[napi]
pub struct ImageTrack {
    tracks: SharedTracks,
    index: usize,
}

impl ImageTrack {
    fn info(&self) -> TrackInfo {
        let tracks = self.tracks.borrow();
        let info = tracks.list.get(self.index).map(|(info, _)| *info);
        info.unwrap_or(TrackInfo { animated: false, frame_count: 0, repetition_count: 0.0 })
    }
}

#[napi]
impl ImageTrack {
    #[napi(constructor, skip_typescript)]
    pub fn new(env: Env) -> napi::Result<Self> {
        Err(crate::js::interface::illegal_constructor::<Self>(&env))
    }

    #[napi(getter)]
    pub fn animated(&self) -> bool {
        self.info().animated
    }

    /// Frames known so far; final once the decoder's data is complete.
    #[napi(getter)]
    pub fn frame_count(&self) -> u32 {
        self.info().frame_count
    }

    /// Plays after the first; `Infinity` for an animation that loops for ever.
    #[napi(getter)]
    pub fn repetition_count(&self) -> f64 {
        self.info().repetition_count
    }

    #[napi(getter)]
    pub fn selected(&self) -> bool {
        let tracks = self.tracks.borrow();
        let selected = if tracks.closed { tracks.selected_at_close } else { tracks.selected_index };
        selected == self.index as i32
    }

    /// Selecting or unselecting a track resets its decoder (pending decodes abort).
    #[napi(setter)]
    pub fn set_selected(&self, env: Env, selected: bool) {
        let mut tracks = self.tracks.borrow_mut();
        if tracks.closed || (tracks.selected_index == self.index as i32) == selected {
            return;
        }
        tracks.selected_index = if selected { self.index as i32 } else { -1 };
        let on_select = tracks.on_select.take();
        drop(tracks);
        if let Some(on_select) = on_select {
            on_select(&env);
            let mut tracks = self.tracks.borrow_mut();
            if tracks.on_select.is_none() && !tracks.closed {
                tracks.on_select = Some(on_select);
            }
        }
    }
}

/// For the decoder's `tracks` getter: the list object of `tracks`.
pub fn list_object(env: &Env, tracks: &SharedTracks) -> napi::Result<napi_value> {
    let reference = tracks.borrow().object;
    raw::ref_value(env, reference)?.ok_or_else(|| napi::Error::from_reason("the track list is gone"))
}
