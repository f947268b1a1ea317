//! The deploy handle: the deployment session (registry, scenario, monitor, retraining,
//! serving), deploying the model handle's last model.

use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::{js, rust, ts, ts_all, Model, PageMeter, Shared};
use crate::deploy::{
    BatchProgress, RegistryView, RetrainReport, RetrainRequest, ScenarioView, ServingForm,
    ServingScore, Session, SessionRestored, StepReport, TableScenarioRequest, Timeline,
    TrafficRequest,
};
use crate::monitor::MonitorSnapshot;
use crate::registry::Comparison;
use crate::scenario::TableSuggestion;
use crate::workbench::{DataBench, ModelBench};

/// The deployment session.
#[wasm_bindgen]
pub struct Deploy {
    data: Shared<DataBench>,
    model: Shared<ModelBench>,
    session: Session,
}

#[wasm_bindgen]
impl Deploy {
    /// A deploy handle that deploys `model`'s last model.
    #[wasm_bindgen(constructor)]
    pub fn new(model: &Model) -> Deploy {
        Deploy {
            data: model.data.share(),
            model: model.bench.share(),
            session: Session::new(),
        }
    }

    /// Registers the last trained model (the first becomes the champion).
    #[wasm_bindgen(js_name = deployLast)]
    pub fn deploy_last(&mut self, note: Option<String>) -> Result<Ts<RegistryView>, JsError> {
        let model = self.model.read()?;
        ts(&self
            .session
            .deploy(model.artifact()?, note.as_deref().unwrap_or_default())?)
    }

    /// The registry.
    pub fn registry(&self) -> Result<Ts<RegistryView>, JsError> {
        ts(&self.session.registry())
    }

    /// The registry as JSON text (artifacts included), for IndexedDB.
    #[wasm_bindgen(js_name = registrySave)]
    pub fn registry_save(&self) -> Result<String, JsError> {
        Ok(self.session.save()?)
    }

    /// Replaces the registry with one saved by `registrySave`.
    #[wasm_bindgen(js_name = registryLoad)]
    pub fn registry_load(&mut self, text: &str) -> Result<Ts<RegistryView>, JsError> {
        ts(&self.session.load(text)?)
    }

    /// Forgets every version (and stops the scenario).
    #[wasm_bindgen(js_name = registryClear)]
    pub fn registry_clear(&mut self) -> Result<Ts<RegistryView>, JsError> {
        ts(&self.session.clear())
    }

    /// Chooses the challenger by name or hash (`null` for none).
    #[wasm_bindgen(js_name = setChallenger)]
    pub fn set_challenger(&mut self, id: Option<String>) -> Result<Ts<RegistryView>, JsError> {
        ts(&self.session.set_challenger(id.as_deref())?)
    }

    /// Sets who answers the traffic.
    #[wasm_bindgen(js_name = setTraffic)]
    pub fn set_traffic(
        &mut self,
        request: Ts<TrafficRequest>,
    ) -> Result<Ts<RegistryView>, JsError> {
        let request: TrafficRequest = rust(request.into(), "traffic")?;
        ts(&self.session.set_traffic(&request)?)
    }

    /// Makes the challenger the champion.
    pub fn promote(&mut self) -> Result<Ts<RegistryView>, JsError> {
        ts(&self.session.promote()?)
    }

    /// Brings back the previous champion.
    pub fn rollback(&mut self) -> Result<Ts<RegistryView>, JsError> {
        ts(&self.session.rollback()?)
    }

    /// Champion against challenger on the labelled rows served so far, at level `alpha`.
    pub fn compare(&self, alpha: Option<f64>) -> Result<Ts<Comparison>, JsError> {
        ts(&self.session.compare(alpha)?)
    }

    /// The built-in scenarios with their drift schedule.
    pub fn scenarios(&self) -> Result<Vec<Ts<ScenarioView>>, JsError> {
        ts_all(&Session::scenarios()?)
    }

    /// Starts (or restarts) scenario `name`, watched by a fresh monitor of the champion.
    #[wasm_bindgen(js_name = startScenario)]
    pub fn start_scenario(
        &mut self,
        name: &str,
        seed: Option<f64>,
    ) -> Result<Ts<Timeline>, JsError> {
        ts(&self.session.start(name, seed)?)
    }

    /// The defaults for a scenario drawn from the loaded table under the champion: its
    /// inputs by importance and one ready change of each kind.
    #[wasm_bindgen(js_name = suggestTable)]
    pub fn suggest_table(&self) -> Result<Ts<TableSuggestion>, JsError> {
        let data = self.data.read()?;
        ts(&self.session.suggest_table(data.table()?)?)
    }

    /// Starts a scenario drawn from the loaded table, watched by a fresh monitor of the
    /// champion.
    #[wasm_bindgen(js_name = startTable)]
    pub fn start_table(
        &mut self,
        request: Ts<TableScenarioRequest>,
    ) -> Result<Ts<Timeline>, JsError> {
        let request: TableScenarioRequest = rust(request.into(), "scenario")?;
        let data = self.data.read()?;
        ts(&self.session.start_table(data.table()?, &request)?)
    }

    /// Plays on past the stream's end: adds `batches` batches (the default if absent).
    pub fn extend(&mut self, batches: Option<usize>) -> Result<Ts<Timeline>, JsError> {
        ts(&self.session.extend(batches)?)
    }

    /// The scenario being played, as JSON text for IndexedDB (`null` when nothing plays).
    #[wasm_bindgen(js_name = playSave)]
    pub fn play_save(&self) -> Result<Option<String>, JsError> {
        Ok(self.session.save_play()?)
    }

    /// Continues a scenario saved by `playSave` (load the registry first); one drawn from
    /// a table needs the same table loaded.
    #[wasm_bindgen(js_name = playRestore)]
    pub fn play_restore(&mut self, text: &str) -> Result<Ts<SessionRestored>, JsError> {
        let data = self.data.read()?;
        ts(&self.session.restore_play(text, data.table().ok())?)
    }

    /// Plays one step of the scenario.
    pub fn step(&mut self) -> Result<Ts<StepReport>, JsError> {
        ts(&self.session.step(&mut PageMeter)?)
    }

    /// The whole timeline of the playing scenario (`null` when nothing plays).
    #[wasm_bindgen(unchecked_return_type = "Timeline | null")]
    pub fn timeline(&self) -> Result<JsValue, JsError> {
        js(&self.session.timeline())
    }

    /// The current champion's monitor snapshot, exactly as the core gives it.
    pub fn snapshot(&self) -> Result<Ts<MonitorSnapshot>, JsError> {
        ts(&self.session.snapshot()?)
    }

    /// Retrains the champion on labelled batches; the new version becomes the challenger.
    pub fn retrain(&mut self, request: Ts<RetrainRequest>) -> Result<Ts<RetrainReport>, JsError> {
        let request: RetrainRequest = rust(request.into(), "retraining request")?;
        ts(&self.session.retrain(&request)?)
    }

    /// The single-row form of the serving model (the champion).
    #[wasm_bindgen(js_name = servingForm)]
    pub fn serving_form(&self) -> Result<Ts<ServingForm>, JsError> {
        ts(&self.session.serving_form()?)
    }

    /// Scores rows (`[{column: value}]`) in real time with the serving model.
    #[wasm_bindgen(js_name = scoreServing)]
    pub fn score_serving(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>[]")] rows: JsValue,
    ) -> Result<Ts<ServingScore>, JsError> {
        let rows: Vec<serde_json::Value> = rust(rows, "rows")?;
        ts(&self.session.score(&rows, &mut PageMeter)?)
    }

    /// Starts scoring an uploaded CSV with the serving model; `batchNext` scores it a
    /// chunk at a time.
    #[wasm_bindgen(js_name = batchStart)]
    pub fn batch_start(
        &mut self,
        bytes: Vec<u8>,
        file_name: &str,
    ) -> Result<Ts<BatchProgress>, JsError> {
        ts(&self.session.batch_start(bytes, file_name)?)
    }

    /// Scores the next `rows` rows of the batch job (the default chunk if absent).
    #[wasm_bindgen(js_name = batchNext)]
    pub fn batch_next(&mut self, rows: Option<usize>) -> Result<Ts<BatchProgress>, JsError> {
        ts(&self.session.batch_next(rows, &mut PageMeter)?)
    }

    /// The scored CSV of a finished batch job; ends the job.
    #[wasm_bindgen(js_name = batchResult)]
    pub fn batch_result(&mut self) -> Result<String, JsError> {
        Ok(self.session.batch_result()?)
    }

    /// Drops the batch job, if any.
    #[wasm_bindgen(js_name = batchCancel)]
    pub fn batch_cancel(&mut self) {
        self.session.batch_cancel();
    }
}
